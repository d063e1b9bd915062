// One llm task attempt: cache lookup, context fitting, the Messages API call with json re-asks.
// Loaded lazily by plugins/llm.ts so the SDK is only imported where a call is made.
import { WeftError } from '../../engine/plugin.js';
import type { ExecutorContext } from '../../engine/plugin.js';
import { askModel } from './answer.js';
import { cacheDirOf, markAnswered, readCached, secretsOf, writeCached } from './cache.js';
import { createClient } from './client.js';
import { fitContext } from './context.js';
import { abortError } from './errors.js';
import { priceOf } from './models.js';
import { buildParams, prepareCall } from './prompt.js';
import { fromCache, toOutput, withSignals, type LlmOutput, type LlmResult } from './result.js';
import type { LlmWith } from './schema.js';
import { modelsFor, outputAttemptsOf, requireModel } from './settings.js';
import { countTokensWith } from './tokens.js';

const samplingKeys = ['temperature', 'top_p', 'top_k', 'topP', 'topK'];

/** The body of `llm.run`; see plugins/llm.ts for the options it reads. */
export async function runLlm(w: LlmWith, ctx: ExecutorContext): Promise<LlmResult> {
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
  if (hit) {
    await markAnswered(dir, ctx.taskId, model);
    return fromCache(hit);
  }

  const client = createClient(ctx);
  const blocks = await fitContext(call.blocks, w.contextMaxTokens, w.truncate ?? false, countTokensWith(client, model, ctx.signal));
  const answer = await askModel(client, buildParams(w, model, blocks), w, ctx.signal, outputAttemptsOf(ctx.options));
  const output = toOutput(answer, models);
  // A paid answer is returned even when the cache cannot keep it.
  if (dir) {
    await writeCached(dir, call.key, output, secretsOf(ctx.options))
      .then(() => markAnswered(dir, ctx.taskId, model))
      .catch((e: Error) => ctx.log('stderr', `llm cache not written: ${e.message}`));
  }
  return withSignals(output, { cache: dir ? 'miss' : undefined, rateLimitRemaining: answer.rateLimitRemaining });
}
