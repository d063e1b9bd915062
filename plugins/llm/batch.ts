// `batch: true`: every instance of a forEach llm task as one Message Batch, at the batch price.
// Cache hits never enter the batch; json answers that fail their check go into a follow-up
// batch with the re-ask, up to outputAttempts rounds, like run() does within one attempt.
import { setTimeout as sleep } from 'node:timers/promises';
import type Anthropic from '@anthropic-ai/sdk';
import { WeftError, toErrorData } from '../../engine/plugin.js';
import type { ExecutorContext } from '../../engine/plugin.js';
import type { ErrorData } from '../../engine/plugin.js';
import { textOf } from './answer.js';
import { cacheDirOf, markAnswered, readCached, secretsOf, writeCached } from './cache.js';
import { createClient } from './client.js';
import { estimateTokens, fitContext } from './context.js';
import { addUsage, noUsage, usageFromApi, type LlmUsage } from './cost.js';
import { abortError, fromStatus, toLlmError } from './errors.js';
import { priceOf } from './models.js';
import { followUp, judgeAnswer } from './output.js';
import { buildParams, prepareCall } from './prompt.js';
import { fromCache, toOutput, withSignals, type LlmOutput, type LlmResult } from './result.js';
import type { LlmWith } from './schema.js';
import { batchPollOf, modelsFor, outputAttemptsOf, requireModel } from './settings.js';

export type BatchItemResult = { ok: true; output: LlmResult } | { ok: false; error: ErrorData };

type Pending = { w: LlmWith; key: string; params: Anthropic.MessageCreateParamsNonStreaming; usage: LlmUsage };

const maxPollMs = 60_000;

// Batch results carry an error body but no HTTP status; this is the status each type stands for.
const statusOfType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/**
 * Run all items as Message Batches; results in item order, each an output or an error as data.
 * Per-item context limits use the chars/4 estimate (a count request per item would defeat the batch).
 * @example const results = await runLlmBatch([{ prompt: 'a' }, { prompt: 'b' }], ctx);
 */
export async function runLlmBatch(items: LlmWith[], ctx: ExecutorContext): Promise<BatchItemResult[]> {
  if (ctx.signal.aborted) throw abortError(ctx.signal);
  const model = requireModel(ctx.model, ctx.taskId);
  const models = modelsFor(ctx.options, ctx.root);
  priceOf(model, models);
  const dir = cacheDirOf(ctx.root, ctx.options);
  const results: BatchItemResult[] = new Array(items.length);
  const pending = new Map<number, Pending>();

  await Promise.all(
    items.map(async (w, i) => {
      try {
        const call = await prepareCall(w, model, ctx.root);
        const hit = dir && (await readCached<LlmOutput>(dir, call.key));
        if (hit) {
          await markAnswered(dir, ctx.taskId, model);
          results[i] = { ok: true, output: fromCache(hit) };
          return;
        }
        const blocks = await fitContext(call.blocks, w.contextMaxTokens, w.truncate ?? false, async (t) => estimateTokens(t));
        pending.set(i, { w, key: call.key, params: buildParams(w, model, blocks), usage: noUsage });
      } catch (error) {
        results[i] = { ok: false, error: toErrorData(error) };
      }
    }),
  );
  if (pending.size === 0) return results;

  const client = createClient(ctx);
  const attempts = outputAttemptsOf(ctx.options);
  for (let round = 1; pending.size > 0; round++) {
    const answers = await runOneBatch(client, pending, ctx);
    for (const [i, item] of [...pending]) {
      const got = answers.get(i) ?? { code: 'INTERNAL', message: `the batch returned no result for item ${i}` };
      if (!('content' in got)) {
        results[i] = { ok: false, error: got };
        pending.delete(i);
        continue;
      }
      item.usage = addUsage(item.usage, usageFromApi(got.usage));
      const text = textOf(got);
      const verdict = judgeAnswer(text, got.stop_reason, item.w);
      if (verdict.ok) {
        const answer = { text, model: got.model, stopReason: got.stop_reason, usage: item.usage, json: verdict.json };
        const output = toOutput(answer, models, { batch: true });
        if (dir) {
          await writeCached(dir, item.key, output, secretsOf(ctx.options))
            .then(() => markAnswered(dir, ctx.taskId, model))
            .catch((e: Error) => ctx.log('stderr', `llm cache not written: ${e.message}`));
        }
        results[i] = { ok: true, output: withSignals(output, { cache: dir ? 'miss' : undefined }) };
        pending.delete(i);
      } else if (round >= attempts) {
        const error = new WeftError('OUTPUT_INVALID', `no usable JSON after ${attempts} request(s): ${verdict.problem}`);
        results[i] = { ok: false, error: toErrorData(error) };
        pending.delete(i);
      } else {
        const messages = [
          ...item.params.messages,
          { role: 'assistant' as const, content: text.trim() || '(empty answer)' },
          { role: 'user' as const, content: followUp(verdict.problem) },
        ];
        item.params = { ...item.params, messages };
      }
    }
  }
  return results;
}

/** One Message Batch from create to results; on abort the batch is cancelled, best effort. */
async function runOneBatch(client: Anthropic, pending: Map<number, Pending>, ctx: ExecutorContext): Promise<Map<number, Anthropic.Message | ErrorData>> {
  const { signal } = ctx;
  // In item order: `pending` fills in the order items finished preparing (async file reads).
  const requests = [...pending].sort(([a], [b]) => a - b).map(([i, item]) => ({ custom_id: `item-${i}`, params: item.params }));
  // The create request is not aborted mid-flight: the server may have made the batch already,
  // and only its id lets us cancel it. The caller still gets its rejection at once.
  const creating = client.messages.batches.create({ requests });
  const cancel = (id: string) => client.messages.batches.cancel(id, {}, { timeout: 10_000 }).catch(() => undefined);
  creating.then(
    (created) => {
      if (signal.aborted) void cancel(created.id);
    },
    () => undefined,
  );
  let batch: Anthropic.Messages.MessageBatch;
  try {
    batch = await untilAborted(creating, signal);
  } catch (error) {
    throw toLlmError(error, signal);
  }
  try {
    let wait = batchPollOf(ctx.options);
    while (batch.processing_status !== 'ended') {
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 1.5, maxPollMs);
      batch = await client.messages.batches.retrieve(batch.id, {}, { signal });
    }
    const answers = new Map<number, Anthropic.Message | ErrorData>();
    for await (const line of await client.messages.batches.results(batch.id, {}, { signal })) {
      const index = Number(/^item-(\d+)$/.exec(line.custom_id)?.[1] ?? Number.NaN);
      if (!pending.has(index)) continue;
      answers.set(index, resultOf(line.result));
    }
    return answers;
  } catch (error) {
    if (signal.aborted) {
      // Without the signal (it is already aborted), and briefly: the cancel must still go out.
      await cancel(batch.id);
      throw abortError(signal);
    }
    throw toLlmError(error, signal);
  }
}

/** `promise`, or a rejection as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

function resultOf(result: Anthropic.Messages.MessageBatchResult): Anthropic.Message | ErrorData {
  switch (result.type) {
    case 'succeeded':
      return result.message;
    case 'errored': {
      const type = result.error?.error?.type ?? 'api_error';
      return toErrorData(fromStatus(statusOfType[type] ?? 500, result.error));
    }
    case 'canceled':
      return { code: 'TASK_CANCELLED', message: 'the batch was cancelled before this request ran' };
    case 'expired':
      return { code: 'TASK_TIMEOUT', message: 'the batch expired before this request ran', retryable: true };
  }
}
