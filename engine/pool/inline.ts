// Calls of `inline` executors (shell, http) run on the calling thread. Their work is a child
// process or a socket, not JavaScript, so a worker thread only added a hop each way (structured
// clone, a message, a thread that may still be starting when the first task comes).
import { WeftError, fromErrorData } from '../errors.js';
import type { Executor, ExecutorContext } from '../executor.js';
import type { CancelSignal } from './cancellation.js';
import { runItems } from './run-items.js';
import { abortReasonToData, errorToData } from './thread-errors.js';

export type InlineOptions = {
  signal?: CancelSignal | undefined;
  /** The pool's own: aborted when it closes, which cancels every call. */
  closing: CancelSignal;
  onLog?: ((stream: 'stdout' | 'stderr', line: string) => void) | undefined;
  graceMs: number;
};

const noLog = (): void => {};

/**
 * Run one call here with the worker's contract: a timeout from the executor's start, an abort
 * that becomes the cancellation or timeout it stands for, errors rebuilt from data (so `code` and
 * `retryable` are decided exactly as for a worker), and a call that ignores its abort given up
 * after `graceMs`.
 * @example await runInline(shell, { command: 'true' }, false, ctx, { graceMs: 2000 })
 */
export function runInline(
  executor: Executor<any, any>,
  input: unknown,
  batch: boolean,
  ctx: Omit<ExecutorContext, 'signal' | 'log'>,
  options: InlineOptions,
): Promise<unknown> {
  const { signal: outer, closing, onLog, graceMs } = options;
  if (outer?.aborted) return Promise.reject(fromErrorData(abortReasonToData(outer.reason)));
  if (closing.aborted) return Promise.reject(fromErrorData(abortReasonToData(closing.reason)));
  const controller = new AbortController();
  const { signal } = controller;
  let timer: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    const stop = (reason: unknown) => {
      if (signal.aborted) return;
      controller.abort(fromErrorData(abortReasonToData(reason)));
      grace = setTimeout(() => reject(fromErrorData(abortReasonToData(signal.reason))), graceMs);
    };
    const onAbort = () => stop(outer!.reason);
    const onClose = () => stop(closing.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    closing.addEventListener('abort', onClose, { once: true });
    if (ctx.timeoutMs) {
      const ms = ctx.timeoutMs;
      timer = setTimeout(() => stop(new WeftError('TASK_TIMEOUT', `timed out after ${ms}ms`, { retryable: true })), ms);
    }
    const full: ExecutorContext = { ...ctx, signal, log: onLog ?? noLog };
    const running = batch ? runItems(executor, input as unknown[], full) : executor.run(input, full);
    running
      .then(
        (value: unknown) => {
          if (signal.aborted) throw signal.reason;
          return value;
        },
        (error: unknown) => {
          throw fromErrorData(signal.aborted ? abortReasonToData(signal.reason) : errorToData(error));
        },
      )
      .then(resolve, reject)
      .finally(() => {
        clearTimeout(timer);
        clearTimeout(grace);
        outer?.removeEventListener('abort', onAbort);
        closing.removeEventListener('abort', onClose);
      });
  });
}
