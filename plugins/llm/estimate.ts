// `weft plan`'s worst case for one llm call, from `with` with what is known at plan time rendered
// (inputs, partials, known forEach items): a string still holding `{{…}}` reads run-time values,
// so its size is not known and it is bounded by the model's context window.
import { holdsTemplate } from '../../engine/plugin.js';
import { estimateTokens } from './context.js';
import { worstCaseCost } from './cost.js';
import { jsonInstruction } from './output.js';
import { defaultMaxTokens, type LlmWith } from './schema.js';
import { modelsFor, outputAttemptsOf } from './settings.js';

// A re-ask adds the previous answer and a one-line follow-up to the input.
const followUpTokens = 100;

/**
 * The most one call of a task may cost: every request a json task may send (re-asks), each with
 * the largest input it can have and `maxTokens` out. Input from files or from templates counts
 * as `contextMaxTokens` when set and the context window otherwise. `{}` when nothing is known.
 * @example estimateLlm({ prompt: 'hi', maxTokens: 100 }, { model: 'claude-haiku-5-5', root: '.', options: {} })
 */
export function estimateLlm(w: LlmWith, ctx: { model?: string; root: string; options: Record<string, unknown> }): { tokens?: number; costUsd?: number } {
  if (!ctx.model || holdsTemplate(w.maxTokens) || holdsTemplate(w.contextMaxTokens)) return {};
  let models;
  try {
    models = modelsFor(ctx.options, ctx.root);
  } catch {
    return {};
  }
  const price = models.models[ctx.model];
  if (!price) return {};
  const maxTokens = w.maxTokens ?? defaultMaxTokens;
  const window = price.contextWindow;
  const ceiling = window === undefined ? Infinity : Math.max(0, window - maxTokens);
  // A text field rendered to a non-string (`prompt: "{{inputs.list}}"`) counts as its JSON.
  const text = (t: unknown): string | undefined => (t === undefined ? undefined : typeof t === 'string' ? t : JSON.stringify(t));
  const fixed = [text(w.shared), text(w.system), text(w.prompt), w.output === 'json' ? jsonInstruction(w.schema) : undefined].filter((t): t is string => typeof t === 'string' && !holdsTemplate(t));
  const openText = [w.shared, w.system, w.prompt].some(holdsTemplate);
  const openContext = (w.context ?? []).some((c) => 'files' in c || holdsTemplate(c.value));
  const knownContext = (w.context ?? []).filter((c) => !('files' in c) && !holdsTemplate(c.value)).map((c) => ('value' in c ? (typeof c.value === 'string' ? c.value : JSON.stringify(c.value) ?? '') : ''));
  let input = estimateTokens([...fixed, ...knownContext].join(''));
  if (openText) input = ceiling;
  else if (openContext) input = w.contextMaxTokens === undefined ? ceiling : input + w.contextMaxTokens;
  if (!Number.isFinite(input)) return {};
  const requests = w.output === 'json' ? outputAttemptsOf(ctx.options) : 1;
  let tokens = 0;
  let costUsd = 0;
  for (let k = 0; k < requests; k++) {
    const sent = Math.min(ceiling, input + k * (maxTokens + followUpTokens));
    tokens += sent + maxTokens;
    costUsd += worstCaseCost(ctx.model, sent, maxTokens, models);
  }
  return { tokens, costUsd: Math.round(costUsd * 1e6) / 1e6 };
}
