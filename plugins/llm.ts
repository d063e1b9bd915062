// The llm executor: one Messages API call per task (re-asked for usable json), on the official
// SDK, with a response cache, context slicing, prices from models/models.json, and batches.
import type { Executor } from '../engine/plugin.js';
import { estimateTokens } from './llm/context.js';
import { estimateLlm } from './llm/estimate.js';
import type { BatchItemResult } from './llm/batch.js';
import type { LlmOutput, LlmResult } from './llm/result.js';
import { preflightLlm } from './llm/preflight.js';
import { anthropicSettingsSchema, defaultMaxTokens, llmWithSchema, type LlmWith } from './llm/schema.js';

export { loadModels, priceOf, defaultModelsFile, type ModelTable, type ModelPrice } from './llm/models.js';
export { estimateCost, worstCaseCost, type LlmUsage } from './llm/cost.js';
export type { LlmOutput, LlmResult, LlmWith, BatchItemResult };

/**
 * `uses: llm`. Reads ctx.options: baseURL, modelsFile, cache (false = off), cacheDir,
 * outputAttempts, batchPollMs; and ctx.env.ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL.
 * @example
 * const out = await llm.run({ prompt: 'Say hi' }, { ...ctx, model: 'claude-haiku-5-5' });
 * out.text; out.costUsd;
 */
export const llm: Executor<LlmWith, LlmResult> = {
  description: 'Call a Claude model through the Anthropic Messages API (text or validated json)',
  // No process of its own: a run of such tasks forks no watchdog.
  startsProcesses: false,
  schema: llmWithSchema,
  outputFields: ['text', 'json', 'model', 'stopReason', 'usage', 'costUsd'],
  secretEnv: ['ANTHROPIC_API_KEY'],
  usesModel: true,
  settings: { anthropic: anthropicSettingsSchema },

  // The SDK loads lazily (~0.4 s): only workers of a run with llm tasks pay for it, never the main
  // thread, and they pay while the pool warms up, before the first call.
  async warmUp() {
    await import('./llm/run.js');
  },

  async run(w, ctx) {
    const { runLlm } = await import('./llm/run.js');
    return runLlm(w, ctx);
  },

  weigh(w) {
    const values = (w.context ?? []).map((c) => ('value' in c ? (typeof c.value === 'string' ? c.value : JSON.stringify(c.value) ?? '') : ''));
    const text = [w.shared ?? '', w.system ?? '', w.prompt ?? '', ...values].join('');
    // Files are only read when the task runs; their share is at most contextMaxTokens.
    const files = (w.context ?? []).some((c) => 'files' in c) ? (w.contextMaxTokens ?? 0) : 0;
    return (w.maxTokens ?? defaultMaxTokens) + estimateTokens(text) + files;
  },

  estimate: estimateLlm,

  preflight: preflightLlm,

  async runBatch(items, ctx) {
    const { runLlmBatch } = await import('./llm/batch.js');
    return runLlmBatch(items, ctx);
  },
};

export default llm;
