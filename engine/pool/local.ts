// The executor pool: the main thread schedules, Piscina's worker threads execute.
// Aborts and log lines travel on two BroadcastChannels per pool rather than a MessageChannel
// per task, so a call costs one Piscina round trip and nothing else.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';
import { WeftError, fromErrorData } from '../errors.js';
import type { ExecutorContext, ExecutorEntry } from '../executor.js';
import { Cancellation, type CancelSignal } from './cancellation.js';
import { openChannel } from './channel.js';
import { runInline } from './inline.js';
import { envDeltas, processEnv, type EnvDelta } from './env-delta.js';
import { createIsolatedThreads } from './isolated.js';
import { runtimeUrl } from '../paths.js';
import { abortReasonToData } from './thread-errors.js';
import type { ErrorData } from '../types.js';
import type { ControlMessage, LogMessage, WarmList, WorkerResult, WorkerTask } from './worker.js';

export type LogListener = (stream: 'stdout' | 'stderr', line: string) => void;

/** An executor's context as a call sends it: no signal or log (the pool makes those); no env means the pool's env. */
export type CallContext = Omit<ExecutorContext, 'signal' | 'log' | 'env'> & { env?: Record<string, string> };

export type PoolRunOptions = {
  /**
   * Aborting rejects the call with the reason as a WeftError: a WeftError reason as it is,
   * `'TASK_TIMEOUT'` or a TimeoutError (AbortSignal.timeout) as TASK_TIMEOUT, else TASK_CANCELLED.
   */
  signal?: CancelSignal | undefined;
  /** Each line the executor logs, in order, all delivered before the call settles. */
  onLog?: LogListener;
  /**
   * Calls given the same chain (an object the caller makes) were given one slot: on a pool with
   * `chainLength`, an isolated executor's calls of one chain run one after another on one thread,
   * in the order made. One that has not started when `stopChains` is called, is cancelled, or
   * whose thread is replaced rejects with NOT_STARTED.
   */
  chain?: object | undefined;
};

export type BatchItemResult = { ok: true; output: unknown } | { ok: false; error: ErrorData };

export type ExecutorPoolOptions = {
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number | undefined;
  /**
   * Calls one worker runs at once (default 64). Executors mostly wait on processes and
   * sockets, so the scheduler's limits, not the thread count, should bound concurrency.
   */
  tasksPerWorker?: number;
  /** How long an aborted executor may take to stop before its call is given up (default 2000). */
  graceMs?: number;
  /** How long a chained call may run before the calls queued behind it go back (default 10). */
  chainReleaseMs?: number;
  /** Isolated calls form chains while each runs in this long or less (default 1). */
  chainQuickMs?: number;
  /** Executors each thread loads (and warms up) as it starts, so the first task does not pay for it. */
  preload?: ExecutorEntry[];
  /**
   * The base environment, sent to each thread once (default: the process's). A call carries only
   * how its ctx.env differs from it (engine/pool/env-delta.ts).
   */
  env?: Record<string, string>;
};

/** Runs executor calls on worker threads. */
export interface ExecutorPool {
  /**
   * Run `entry`'s executor with rendered `with` values in a worker. Rejects with a WeftError
   * (rebuilt from data, so `code` and `retryable` survive the thread boundary).
   */
  run(entry: ExecutorEntry, withValues: unknown, ctx: CallContext, options?: PoolRunOptions): Promise<unknown>;
  /** Run a `batch: true` task's items as one call: the executor's runBatch hook, else each item's run. */
  runBatch(entry: ExecutorEntry, items: unknown[], ctx: CallContext, options?: PoolRunOptions): Promise<BatchItemResult[]>;
  /**
   * Load these executors on every thread now, while the pipeline still loads or validates, so the
   * first call does not pay for imports (a pool made before the run knew its executors).
   */
  warm?(entries: ExecutorEntry[]): void;
  /** Cancel what is running (executors get an abort and the grace period), then end the threads. */
  destroy(): Promise<void>;
  readonly workers: number;
  /**
   * Present when calls of isolated executors honour `chain` (PoolRunOptions): how many calls a
   * chain should hold now. More than 1 only while those calls are quick (isolated.ts).
   */
  chainLength?(): number;
  /** Chained calls not started yet end NOT_STARTED: the run is stopping. */
  stopChains?(): void;
  /**
   * Present on a pool whose calls run on other machines (engine/pool/queue.ts): secrets are read
   * there, from each worker's environment, so the run renders these placeholders in their place.
   */
  placeholdSecrets?(names: Iterable<string>): Record<string, string>;
}

const workerUrl = runtimeUrl(new URL(`./worker${path.extname(import.meta.url)}`, import.meta.url).href);
let poolCount = 0;

/**
 * Start a pool of worker threads for executor calls.
 * @example
 * const pool = createExecutorPool({ workers: 2 });
 * const out = await pool.run(registry.executors.get('shell')!, { command: 'echo hi' }, ctx, { signal, onLog });
 * await pool.destroy();
 */
export function createExecutorPool(options: ExecutorPoolOptions = {}): ExecutorPool {
  const workers = Math.max(1, options.workers ?? os.availableParallelism());
  const graceMs = options.graceMs ?? 2000;
  const id = `weft-pool:${process.pid}:${++poolCount}:${Math.random().toString(36).slice(2)}`;
  const baseEnv = options.env ?? processEnv();
  const deltaOf = envDeltas(baseEnv);
  const shared: WarmList = [];
  const channels = { controlChannel: `${id}:control`, logChannel: `${id}:log`, preload: shared, env: baseEnv };
  for (const entry of options.preload ?? []) if (onPiscina(entry)) shared.push([entry.moduleUrl, entry.name]);
  // Threads start with the first executor that needs one (preloaded, warmed or called): a run of
  // shell and http tasks, which run on this thread, never pays for them (~100 ms of CPU each).
  let started: Piscina | undefined;
  const piscina = (): Piscina => (started ??= startPiscina(workers, graceMs, options.tasksPerWorker ?? 64, channels));
  if (shared.length) piscina();

  const control = openChannel(channels.controlChannel);
  const logs = openChannel(channels.logChannel);
  const listening = new Map<number, TrackedCall>();
  listenForLogs(logs, control, shared, listening);
  const isolated = createIsolatedThreads(workerUrl, workers, { ...channels, chainReleaseMs: options.chainReleaseMs }, (message) => control.postMessage(message), graceMs, options.tasksPerWorker ?? 64, options.chainQuickMs);
  // Inline executors warm up here, on the thread that runs them.
  const warmedInline = new Set<ExecutorEntry>();
  const warmInline = (entries: ExecutorEntry[]): void => warmInlineExecutors(entries, warmedInline);
  const isolatedPreload = (options.preload ?? []).filter((e) => e.executor.isolate);
  if (isolatedPreload.length) isolated.warm(toWarmList(isolatedPreload));
  warmInline(options.preload ?? []);

  let lastKey = 0;
  let closed = false;
  const wiring: CallWiring = { control, logs, listening, graceMs, waitingForLogs: 0, crashed: (error) => crashed(error) };
  // Inline calls, so destroy() can cancel them and wait until they have stopped.
  // Every running inline call listens to it: an AbortSignal warned of a leak past 10 of them
  // (16 shell tasks at once printed MaxListenersExceededWarning); a Cancellation has no such limit.
  const closing = new Cancellation();
  const inline = new Set<Promise<unknown>>();

  function call(entry: ExecutorEntry, input: unknown, batch: boolean, ctx: CallContext, opts: PoolRunOptions = {}): Promise<unknown> {
    const { signal, onLog, chain } = opts;
    if (closed) return Promise.reject(new WeftError('TASK_CANCELLED', 'the executor pool is closed'));
    if (signal?.aborted) return Promise.reject(fromErrorData(abortReasonToData(signal.reason)));
    if (entry.executor.inline === 'always') {
      // Nothing crosses a thread: the context is used as it is, its env filled in when left out.
      const here = ctx.env ? (ctx as Omit<ExecutorContext, 'signal' | 'log'>) : { ...ctx, env: baseEnv };
      return tracked(inline, runInline(entry.executor, input, batch, here, { signal, closing, onLog, graceMs }));
    }
    const key = ++lastKey;
    const sent = wireContext(ctx, ctx.env && deltaOf(ctx.env));
    const task: WorkerTask = { key, moduleUrl: entry.moduleUrl, name: entry.name, input, batch, ctx: sent, logs: onLog !== undefined };
    // Isolated calls reject with the WeftError that ended them (timeout, cancel, lost thread).
    if (entry.executor.isolate) return isolated.run({ task, signal, onLog, chain });
    if (!signal && !onLog) return piscina().run(task).then(settle, crashed);

    return runTracked(piscina(), task, new TrackedCall(key, signal, onLog, wiring));
  }

  function crashed(error: unknown): never {
    if (closed) throw new WeftError('TASK_CANCELLED', 'the executor pool is closed');
    throw new WeftError('TASK_FAILED', `executor worker failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  return {
    workers,
    chainLength: () => isolated.chainLength(),
    stopChains: () => control.postMessage({ type: 'stopChains' } satisfies ControlMessage),
    run: (entry, withValues, ctx, opts) => call(entry, withValues, false, ctx, opts),
    runBatch: (entry, items, ctx, opts) => call(entry, items, true, ctx, opts) as Promise<BatchItemResult[]>,
    warm(entries) {
      warmInline(entries);
      const fresh = toWarmList(entries.filter(onPiscina));
      if (fresh.length) {
        shared.push(...fresh);
        piscina();
        control.postMessage({ type: 'warm', executors: fresh } satisfies ControlMessage);
      }
      const own = entries.filter((e) => e.executor.isolate);
      if (own.length) isolated.warm(toWarmList(own));
    },
    async destroy() {
      if (closed) return;
      closed = true;
      control.postMessage({ type: 'close', reason: { code: 'TASK_CANCELLED', message: 'the executor pool is closed' } } satisfies ControlMessage);
      closing.abort(new WeftError('TASK_CANCELLED', 'the executor pool is closed'));
      await Promise.all([started?.close({ force: true }), isolated.close(), Promise.allSettled([...inline])]);
      control.close();
      logs.close();
    },
  };
}

/**
 * What of a call's context crosses to a thread: all but its env, which goes as its difference
 * from the pool's (envDelta). Field by field: an object rest and a spread here cost ~300 bytes a
 * call. Every field is named, so a field added to the context fails to compile until it is here.
 */
function wireContext(ctx: CallContext, envDelta: EnvDelta | undefined): WorkerTask['ctx'] {
  const { taskId, attempt, root, options, model, timeoutMs } = ctx;
  return { taskId, attempt, root, options, model, timeoutMs, envDelta } satisfies Record<keyof WorkerTask['ctx'], unknown> as WorkerTask['ctx'];
}

const toWarmList = (entries: ExecutorEntry[]): WarmList => entries.map((e) => [e.moduleUrl, e.name]);
const onPiscina = (e: ExecutorEntry): boolean => !e.executor.isolate && e.executor.inline !== 'always';

/** Lines from the threads to their calls; key 0 is a thread saying it has started. */
function listenForLogs(logs: ReturnType<typeof openChannel>, control: ReturnType<typeof openChannel>, shared: WarmList, listening: Map<number, TrackedCall>): void {
  logs.onmessage = (event) => {
    const [key, stream, line] = event.data as LogMessage;
    // Key 0: a thread has just started listening; tell it what this run warms up.
    if (key === 0) {
      if (shared.length) control.postMessage({ type: 'warm', executors: shared } satisfies ControlMessage);
    } else listening.get(key)?.receive(stream, line);
  };
}

/** Inline executors warm up on the main thread, each once. */
function warmInlineExecutors(entries: ExecutorEntry[], warmed: Set<ExecutorEntry>): void {
  for (const e of entries) {
    if (!e.executor.inline || warmed.has(e)) continue;
    warmed.add(e);
    e.executor.warmUp?.().catch(() => {});
  }
}

/** Keep an inline call in `inline` while it runs, so destroy() can wait for it. */
function tracked(inline: Set<Promise<unknown>>, running: Promise<unknown>): Promise<unknown> {
  inline.add(running);
  const forget = () => inline.delete(running);
  running.then(forget, forget);
  return running;
}

/** A Piscina call with a signal or a log listener, settled through its TrackedCall. */
function runTracked(piscina: Piscina, task: WorkerTask, call: TrackedCall): Promise<unknown> {
  if (call.onLog) call.wiring.listening.set(task.key, call);
  call.signal?.addEventListener('abort', call, { once: true });
  return new Promise((resolve, reject) => {
    call.giveUp = reject;
    piscina
      .run(task)
      .then(
        (result: WorkerResult) => call.finish(result),
        (error: unknown) => call.fail(error),
      )
      .then(resolve, reject);
  });
}

/** Piscina with every thread started up front and kept; the library itself is loaded here, at the first need. */
function startPiscina(workers: number, graceMs: number, tasksPerWorker: number, channels: Record<string, unknown>): Piscina {
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
  const piscina = new Piscina({
    filename: workerUrl,
    maxThreads: workers,
    // Every thread from the start and kept: with fewer, Piscina's least-busy balancer left the
    // second thread unused below 64 calls, and idle threads were torn down and restarted
    // (9-10 thread starts per 10k-task run; 2.9 s -> 0.75-1.1 s with this).
    minThreads: workers,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    // Piscina's default ('sync') parks an idle thread in Atomics.wait, freezing its event loop:
    // keep-alive sockets closed by a server meanwhile went unnoticed, and the next llm calls
    // failed with "other side closed" (93 of 100 after a 10 s lull). 'async' waits without
    // blocking, so executors' sockets, timers and child processes stay serviced.
    atomics: 'async',
    concurrentTasksPerWorker: tasksPerWorker,
    closeTimeout: graceMs,
    workerData: channels,
  });
  // close() reports a timeout as an 'error' event; the threads are destroyed right after anyway.
  piscina.on('error', () => {});
  return piscina;
}

/** What a pool shares with its tracked calls. */
type CallWiring = {
  control: ReturnType<typeof openChannel>;
  logs: ReturnType<typeof openChannel>;
  listening: Map<number, TrackedCall>;
  graceMs: number;
  /** Calls waiting for their last log lines; the log channel keeps the process alive meanwhile. */
  waitingForLogs: number;
  crashed(error: unknown): never;
};

/**
 * A call made with a signal or a log listener. One object plays every part, so such a call
 * allocates no closures: the listener on the caller's signal (handleEvent), the grace timer
 * that gives up on an executor ignoring its abort, and the log counter.
 */
class TrackedCall {
  // What the pool shares with its calls: the control and log channels, the listeners, the grace.
  received = 0;
  expected = -1;
  abortSent = false;
  graceTimer?: NodeJS.Timeout;
  logTimer?: NodeJS.Timeout;
  resolveLogs?: (() => void) | undefined;
  /** Rejects the call without waiting for the worker: the last resort when it ignores an abort. */
  giveUp?: (error: unknown) => void;

  constructor(
    readonly key: number,
    readonly signal: CancelSignal | undefined,
    readonly onLog: LogListener | undefined,
    readonly wiring: CallWiring,
  ) {}

  /** The caller's signal fired: ask the worker to abort, and start the grace period. */
  handleEvent() {
    this.abortSent = true;
    this.wiring.control.postMessage({ type: 'abort', key: this.key, reason: abortReasonToData(this.signal!.reason) } satisfies ControlMessage);
    // A worker that ignores the abort (a function stuck in a loop) keeps its thread until the
    // pool closes; the call itself settles now. Piscina's own `signal` is not used: it would
    // terminate the thread (orphaning child processes) and, worse, Piscina counts a worker
    // running an abortable task as full, which would cap concurrency at one task per thread.
    this.graceTimer = setTimeout(() => {
      this.cleanup();
      this.giveUp?.(fromErrorData(abortReasonToData(this.signal!.reason)));
    }, this.wiring.graceMs);
  }

  receive(stream: 'stdout' | 'stderr', line: string) {
    this.received++;
    this.onLog!(stream, line);
    if (this.received === this.expected) this.resolveLogs?.();
  }

  finish(result: WorkerResult): unknown {
    if (this.onLog && this.received < result.logs) return this.waitForLogs(result.logs).then(() => this.settle(result));
    return this.settle(result);
  }

  settle(result: WorkerResult): unknown {
    this.cleanup();
    if (this.signal?.aborted) throw fromErrorData(abortReasonToData(this.signal.reason));
    return settle(result);
  }

  fail(error: unknown): never {
    this.cleanup();
    if (this.signal?.aborted) throw fromErrorData(abortReasonToData(this.signal.reason));
    return this.wiring.crashed(error);
  }

  // Lines and the result travel on different ports; the result says how many lines to expect.
  waitForLogs(expected: number): Promise<void> {
    this.expected = expected;
    if (this.wiring.waitingForLogs++ === 0) this.wiring.logs.ref();
    return new Promise<void>((resolve) => {
      this.resolveLogs = () => {
        this.resolveLogs = undefined;
        clearTimeout(this.logTimer);
        if (--this.wiring.waitingForLogs === 0) this.wiring.logs.unref();
        resolve();
      };
      // Lines from a live worker always arrive; the timer only guards against a lost thread.
      this.logTimer = setTimeout(this.resolveLogs, 1000);
    });
  }

  cleanup() {
    clearTimeout(this.graceTimer);
    this.signal?.removeEventListener('abort', this);
    if (this.onLog) this.wiring.listening.delete(this.key);
    if (this.abortSent) this.wiring.control.postMessage({ type: 'forget', key: this.key } satisfies ControlMessage);
  }
}

function settle(result: WorkerResult): unknown {
  if (result.ok) return result.value;
  throw fromErrorData(result.error);
}
