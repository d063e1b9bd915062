import type { ModelUsage, RunReport } from '../types.js';

/** Token and cost totals of a run, by model, fed from each output that reports usage. */
export type UsageTally = {
  add(output: unknown): { tokens: number; costUsd: number } | undefined;
  totals(): RunReport['usage'];
  tokens: number;
  costUsd: number;
};

type UsageLike = { model?: unknown; costUsd?: unknown; usage?: { inputTokens?: unknown; outputTokens?: unknown } };

/**
 * Any executor output shaped `{ model, usage: { inputTokens, outputTokens }, costUsd }` counts;
 * the engine knows nothing else about llm calls.
 * @example const tally = createUsageTally(); tally.add(output); tally.totals()
 */
export function createUsageTally(): UsageTally {
  const byModel: Record<string, ModelUsage> = {};
  const tally: UsageTally = {
    tokens: 0,
    costUsd: 0,
    add(output) {
      if (typeof output !== 'object' || output === null) return undefined;
      const o = output as UsageLike;
      if (typeof o.model !== 'string' || typeof o.usage !== 'object' || o.usage === null) return undefined;
      const input = Number(o.usage.inputTokens) || 0;
      const out = Number(o.usage.outputTokens) || 0;
      const cost = Number(o.costUsd) || 0;
      const entry = (byModel[o.model] ??= { inputTokens: 0, outputTokens: 0, costUsd: 0 });
      entry.inputTokens += input;
      entry.outputTokens += out;
      entry.costUsd += cost;
      tally.tokens += input + out;
      tally.costUsd += cost;
      return { tokens: input + out, costUsd: cost };
    },
    totals() {
      const rounded: Record<string, ModelUsage> = {};
      for (const [model, u] of Object.entries(byModel)) rounded[model] = { ...u, costUsd: roundUsd(u.costUsd) };
      return { byModel: rounded, totalTokens: tally.tokens, costUsd: roundUsd(tally.costUsd) };
    },
  };
  return tally;
}

function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
