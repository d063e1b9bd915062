// The llm executor: one Messages API call per task (re-asked for usable json), on the official
// SDK, with a response cache, context slicing, prices from models/models.json, and batches.
import type { Executor } from '../engine/executor.js';
import { WeftError } from '../engine/errors.js';
import { askModel } from './llm/answer.js';
import { runLlmBatch, type BatchItemResult } from './llm/batch.js';
import { cacheDirOf, readCached, writeCached } from './llm/cache.js';
import { createClient } from './llm/client.js';
import { estimateTokens, fitContext } from './llm/context.js';
import { abortError } from './llm/errors.js';
import { priceOf } from './llm/models.js';
import { preflightLlm } from './llm/preflight.js';
import { buildParams, prepareCall } from './llm/prompt.js';
import { fromCache, toOutput, withSignals, type LlmOutput, type LlmResult } from './llm/result.js';
import { defaultMaxTokens, llmWithSchema, type LlmWith } from './llm/schema.js';
import { modelsFor, outputAttemptsOf, requireModel } from './llm/settings.js';
import { countTokensWith } from './llm/tokens.js';

export { loadModels, priceOf, defaultModelsFile, type ModelTable, type ModelPrice } from './llm/models.js';
export { estimateCost, worstCaseCost, type LlmUsage } from './llm/cost.js';
export { isSpendLimit, toLlmError } from './llm/errors.js';
export type { LlmOutput, LlmResult, LlmWith, BatchItemResult };

const samplingKeys = ['temperature', 'top_p', 'top_k', 'topP', 'topK'];

/**
 * `uses: llm`. Reads ctx.options: baseURL, modelsFile, cache (false = off), cacheDir,
 * outputAttempts, batchPollMs; and ctx.env.ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL.
 * @example
 * const out = await llm.run({ prompt: 'Say hi' }, { ...ctx, model: 'claude-haiku-5-5' });
 * out.text; out.costUsd;
 */
export const llm: Executor<LlmWith, LlmResult> = {
  description: 'Call a Claude model through the Anthropic Messages API (text or validated json)',
  schema: llmWithSchema,

  async run(w, ctx) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    // The schema already refuses these; this guards callers that skip validation.
    const sampling = samplingKeys.filter((k) => k in w);
    if (sampling.length) {
      throw new WeftError('PIPELINE_INVALID', `with.${sampling[0]} is not supported: Anthropic API version 2026-10-21 rejects temperature, top_p and top_k`);
    }
    const model = requireModel(ctx.model, ctx.taskId);
    const models = modelsFor(ctx.options, ctx.root);
    priceOf(model, models);
    const call = await prepareCall(w, model, ctx.root);
    const dir = cacheDirOf(ctx.root, ctx.options);
    const hit = dir && (await readCached<LlmOutput>(dir, call.key));
    if (hit) return fromCache(hit);

    const client = createClient(ctx);
    const blocks = await fitContext(call.blocks, w.contextMaxTokens, w.truncate ?? false, countTokensWith(client, model, ctx.signal));
    const answer = await askModel(client, buildParams(w, model, blocks), w, ctx.signal, outputAttemptsOf(ctx.options));
    const output = toOutput(answer, models);
    // A paid answer is returned even when the cache cannot keep it.
    if (dir) await writeCached(dir, call.key, output).catch((e: Error) => ctx.log('stderr', `llm cache not written: ${e.message}`));
    return withSignals(output, { cache: dir ? 'miss' : undefined, rateLimitRemaining: answer.rateLimitRemaining });
  },

  weigh(w) {
    const values = (w.context ?? []).map((c) => ('value' in c ? (typeof c.value === 'string' ? c.value : JSON.stringify(c.value) ?? '') : ''));
    const text = [w.shared ?? '', w.system ?? '', w.prompt ?? '', ...values].join('');
    // Files are only read when the task runs; their share is at most contextMaxTokens.
    const files = (w.context ?? []).some((c) => 'files' in c) ? (w.contextMaxTokens ?? 0) : 0;
    return (w.maxTokens ?? defaultMaxTokens) + estimateTokens(text) + files;
  },

  preflight: preflightLlm,

  runBatch: runLlmBatch,
};

export default llm;
