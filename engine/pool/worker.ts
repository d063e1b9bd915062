// Piscina worker entry: imports an executor's module, runs it with a real AbortSignal, and
// returns its output or its error as data. Runs in a worker thread, so it is loaded from dist/.
import { workerData } from 'node:worker_threads';
import type { Executor, ExecutorContext } from '../executor.js';
import type { ErrorData } from '../types.js';
import { openChannel } from './channel.js';
import { WeftError, fromErrorData } from '../errors.js';
import { abortReasonToData, errorToData } from './thread-errors.js';

/** One call as it crosses to the worker. Plain data: it is structured-cloned. */
export type WorkerTask = {
  key: number;
  moduleUrl: string;
  name: string;
  /** `with` values for `run`, or the items for `runBatch`. */
  input: unknown;
  batch: boolean;
  /** `env` left out means the pool's base environment (workerData.env). */
  ctx: Omit<ExecutorContext, 'signal' | 'log' | 'env'> & { env?: Record<string, string> | undefined };
  /** Whether the caller listens to log lines; when false, ctx.log drops them here. */
  logs: boolean;
};

/** What the worker returns. `logs` counts the lines posted, so the pool can wait for stragglers. */
export type WorkerResult = { ok: true; value: unknown; logs: number } | { ok: false; error: ErrorData; logs: number };

/** Messages from the pool: abort a task, forget an abort no longer needed, or abort everything for good. */
export type ControlMessage =
  | { type: 'abort'; key: number; reason: ErrorData }
  | { type: 'forget'; key: number }
  | { type: 'close'; reason: ErrorData };

/** A log line from a worker: [task key, stream, line]. A tuple keeps the message small. */
export type LogMessage = [key: number, stream: 'stdout' | 'stderr', line: string];

const { controlChannel, logChannel, preload, env: baseEnv } = workerData as {
  controlChannel: string;
  logChannel: string;
  preload?: string[];
  /** The pool's base environment: calls that leave ctx.env out use it. */
  env?: Record<string, string>;
};

const running = new Map<number, AbortController>();
// An abort can arrive before its task reaches this worker (it was still queued), and every
// worker hears it; the one that later starts the task finds it here. `forget` clears the rest.
const earlyAborts = new Map<number, ErrorData>();
let closedWith: ErrorData | undefined;

const control = openChannel(controlChannel);
control.onmessage = (event) => {
  const message = event.data as ControlMessage;
  if (message.type === 'forget') {
    earlyAborts.delete(message.key);
    return;
  }
  if (message.type === 'close') {
    closedWith = message.reason;
    for (const controller of running.values()) controller.abort(fromErrorData(message.reason));
    return;
  }
  const controller = running.get(message.key);
  // A WeftError as the reason, so `fetch` and friends reject with the cancellation itself.
  if (controller) controller.abort(fromErrorData(message.reason));
  else earlyAborts.set(message.key, message.reason);
};

const logs = openChannel(logChannel);

type ExecutorTable = Record<string, Executor<any, any> | undefined>;
const modules = new Map<string, ExecutorTable>();

async function loadExecutors(moduleUrl: string): Promise<ExecutorTable> {
  const cached = modules.get(moduleUrl);
  if (cached) return cached;
  const mod = (await import(moduleUrl)) as { default?: { executors?: ExecutorTable }; executors?: ExecutorTable };
  const table = mod.default?.executors ?? mod.executors ?? {};
  modules.set(moduleUrl, table);
  return table;
}

// Import the run's executor modules while the thread starts, not inside the first task's time.
// A module that fails here fails again, with its message, in the task that needs it.
if (preload?.length) await Promise.all(preload.map((url) => loadExecutors(url).catch(() => modules.delete(url))));

/**
 * Run one executor call (Piscina calls this). Never throws: errors come back as data.
 * @example await runTask({ key: 1, moduleUrl, name: 'node', input: { module: 'm.js' }, batch: false, ctx, logs: false })
 */
export default async function runTask(task: WorkerTask): Promise<WorkerResult> {
  const early = closedWith ?? earlyAborts.get(task.key);
  if (early) {
    earlyAborts.delete(task.key);
    return { ok: false, error: early, logs: 0 };
  }
  const controller = new AbortController();
  running.set(task.key, controller);
  let lines = 0;
  let timer: NodeJS.Timeout | undefined;
  const log = task.logs
    ? (stream: 'stdout' | 'stderr', line: string) => {
        lines++;
        logs.postMessage([task.key, stream, line] satisfies LogMessage);
      }
    : () => {};
  try {
    const executor = (await loadExecutors(task.moduleUrl))[task.name];
    if (!executor) {
      return { ok: false, error: { code: 'UNKNOWN_EXECUTOR', message: `${task.moduleUrl} has no executor "${task.name}"` }, logs: 0 };
    }
    const ctx: ExecutorContext = { ...task.ctx, env: task.ctx.env ?? baseEnv ?? {}, signal: controller.signal, log };
    // The timeout clock starts when the executor does, not while the call was queued or its module loaded.
    if (task.ctx.timeoutMs) timer = setTimeout(abortOnTimeout, task.ctx.timeoutMs, controller, task.ctx.timeoutMs);
    const value = task.batch
      ? await runItems(executor, task.input as unknown[], ctx)
      : await executor.run(task.input, ctx);
    if (controller.signal.aborted) return { ok: false, error: abortReasonToData(controller.signal.reason), logs: lines };
    return { ok: true, value, logs: lines };
  } catch (error) {
    const data = controller.signal.aborted ? abortReasonToData(controller.signal.reason) : errorToData(error);
    return { ok: false, error: data, logs: lines };
  } finally {
    clearTimeout(timer);
    running.delete(task.key);
  }
}

function abortOnTimeout(controller: AbortController, ms: number): void {
  controller.abort(new WeftError('TASK_TIMEOUT', `timed out after ${ms}ms`, { retryable: true }));
}

// Executors without a runBatch hook still take a batch: each item runs on its own, together.
async function runItems(executor: Executor<any, any>, items: unknown[], ctx: ExecutorContext) {
  if (executor.runBatch) return executor.runBatch(items, ctx);
  return Promise.all(
    items.map((item) =>
      executor.run(item, ctx).then(
        (output: unknown) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error: errorToData(error) }),
      ),
    ),
  );
}
