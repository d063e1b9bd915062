// Worker thread entry: imports an executor's module, runs it with a real AbortSignal, and
// returns its output or its error as data. Runs in a worker thread, so it is loaded from dist/.
// Piscina calls runTask; an isolated thread (engine/pool/isolated.ts) takes calls on its port.
import { parentPort, workerData } from 'node:worker_threads';
import type { Executor, ExecutorContext } from '../executor.js';
import type { ErrorData } from '../types.js';
import { Cancellation } from './cancellation.js';
import { openChannel } from './channel.js';
import { envApplier, type EnvDelta } from './env-delta.js';
import { WeftError, fromErrorData } from '../errors.js';
import { installGuards, runAsCall, type CallScope } from './guard.js';
import { runItems } from './run-items.js';
import { abortReasonToData, errorToData } from './thread-errors.js';
import { NOT_STARTED, RELEASE_MS, createChains } from './chains.js';
import { ThreadContext } from './thread-context.js';

/** One call as it crosses to the worker. Plain data: it is structured-cloned. */
export type WorkerTask = {
  key: number;
  moduleUrl: string;
  name: string;
  /** `with` values for `run`, or the items for `runBatch`. */
  input: unknown;
  batch: boolean;
  /** The env is the pool's base environment (workerData.env) changed by `envDelta`. */
  ctx: Omit<ExecutorContext, 'signal' | 'log' | 'env'> & { envDelta?: EnvDelta };
  /** Whether the caller listens to log lines; when false, ctx.log drops them here. */
  logs: boolean;
  /** On an isolated thread: the calls of one chain arrive together and run one after another. */
  chain?: number;
};

/**
 * What the worker returns. `logs` counts the lines posted, so the pool can wait for stragglers;
 * an isolated thread says how long a call that failed ran (`ms`), for its pool's chains (an
 * output crosses as an OutputMessage, with its own duration).
 */
export type WorkerResult = ({ ok: true; value: unknown } | { ok: false; error: ErrorData }) & { logs: number; ms?: number };

/** Messages from the pool: abort a task, forget an abort no longer needed, or abort everything for good. */
export type ControlMessage =
  | { type: 'abort'; key: number; reason: ErrorData }
  | { type: 'forget'; key: number }
  | { type: 'close'; reason: ErrorData }
  | { type: 'warm'; executors: WarmList }
  | { type: 'stopChains' };

/** Executors to load ahead of their calls, as [module URL, executor name]. */
export type WarmList = Array<[url: string, name: string]>;

/**
 * A log line from a worker: [task key, stream, line]. A tuple keeps the message small.
 * Key 0 is no task: a Piscina thread announcing it listens (line 'piscina'), so the pool tells it
 * what to warm up.
 */
export type LogMessage = [key: number, stream: 'stdout' | 'stderr', line: string];

/**
 * A call's output as an isolated thread sends it: its key, the value, and how long it ran in
 * microseconds (an integer). Nearly every result is one; 32 of them cross in a quarter of the
 * time 32 `{ type: 'result', key, result: { ok, value, logs, ms } }` took (V8's serializer and
 * deserializer, measured here), and make two objects and a string fewer each.
 */
export type OutputMessage = [key: number, value: unknown, us: number];

/**
 * What an isolated thread posts on its port: a log line, the result, and for a call with a
 * timeout, when its executor started and when the thread noticed the timeout (a thread that
 * never notices is stuck and gets replaced).
 */
export type IsolatedMessage =
  | OutputMessage
  | { type: 'log'; key: number; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'result'; key: number; result: WorkerResult }
  | { type: 'started' | 'timedOut'; key: number };

const { controlChannel, logChannel, preload, env: baseEnv, isolated, chainReleaseMs } = workerData as {
  controlChannel: string;
  logChannel: string;
  preload?: WarmList;
  /** The pool's base environment: each call's env is it changed by the call's envDelta. */
  env: Record<string, string>;
  /** Calls arrive on the port (isolated.ts), not from Piscina. */
  isolated?: boolean;
  chainReleaseMs?: number;
};

installGuards();
const envOf = envApplier(baseEnv);

const running = new Map<number, Cancellation>();
// An abort can arrive before its task reaches this worker (it was still queued), and every
// worker hears it; the one that later starts the task finds it here. `forget` clears the rest.
const earlyAborts = new Map<number, ErrorData>();
let closedWith: ErrorData | undefined;
/** The calls of a chain run one after another (chains.ts). */
const chains = createChains({
  releaseMs: chainReleaseMs ?? RELEASE_MS,
  run: runTimed,
  mayStart: (task) => !closedWith && !earlyAborts.delete(task.key),
  giveBack: (task) => post({ type: 'result', key: task.key, result: NOT_STARTED }),
});

const control = openChannel(controlChannel);
control.onmessage = (event) => {
  const message = event.data as ControlMessage;
  if (message.type === 'forget') {
    earlyAborts.delete(message.key);
    return;
  }
  if (message.type === 'warm') {
    // The Piscina threads' executors: an isolated thread is told its own on its port.
    if (!isolated) void warmUp(message.executors);
    return;
  }
  if (message.type === 'stopChains') {
    chains.stopAll();
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
// Threads start while the pipeline still loads: the pool answers this with the run's executors.
if (!isolated) logs.postMessage([0, 'stdout', 'piscina'] satisfies LogMessage);

type ExecutorTable = Record<string, Executor<any, any> | undefined>;
const modules = new Map<string, ExecutorTable>();

async function loadExecutors(moduleUrl: string): Promise<ExecutorTable> {
  const cached = modules.get(moduleUrl);
  if (cached) return cached;
  const mod = (await import(moduleUrl)) as { default?: { executors?: ExecutorTable }; executors?: ExecutorTable };
  // A plugin module lists its executors; a per-executor module exports it under its name.
  const table = mod.default?.executors ?? mod.executors ?? (mod as ExecutorTable);
  modules.set(moduleUrl, table);
  return table;
}

const warmed = new Set<string>();

/**
 * Import the run's executor modules, and what each loads for its calls (warmUp: the SDK, Handlebars),
 * while the thread starts and the pipeline loads, not inside the first task's time.
 * A module that fails here fails again, with its message, in the task that needs it.
 */
function warmUp(executors: WarmList): Promise<unknown> {
  const fresh = executors.filter(([url, name]) => !warmed.has(`${url}#${name}`));
  for (const [url, name] of fresh) warmed.add(`${url}#${name}`);
  return Promise.all(
    fresh.map(([url, name]) =>
      loadExecutors(url).then(
        (table) => table[name]?.warmUp?.().catch(() => {}),
        () => modules.delete(url),
      ),
    ),
  );
}
if (preload?.length) await warmUp(preload);

/**
 * Run one executor call (Piscina calls this). Never throws: errors come back as data.
 * @example await runTask({ key: 1, moduleUrl, name: 'node', input: { module: 'm.js' }, batch: false, ctx, logs: false })
 */
export default function runTask(task: WorkerTask): Promise<WorkerResult> {
  const early = closedWith ?? earlyAborts.get(task.key);
  if (early) {
    earlyAborts.delete(task.key);
    return Promise.resolve({ ok: false, error: early, logs: 0 });
  }
  const call = new Call(task);
  return runAsCall(call, () => call.run());
}

/**
 * What an isolated thread says this turn of its event loop, sent as one message when the turn
 * ends: results of calls that ended together cross in one wake-up of the pool's thread.
 */
let outbox: IsolatedMessage[] = [];

function post(message: IsolatedMessage): void {
  if (outbox.push(message) === 1) setImmediate(flushOutbox);
}

/**
 * Send now, with what waits in the outbox (order kept). A function that never yields keeps the
 * turn from ending: 'started' must reach the pool before the executor runs (it replaces a stuck
 * thread only once it knows the call started), and the lines a task printed before it hung
 * must not die with its thread.
 */
function postNow(message: IsolatedMessage): void {
  outbox.push(message);
  flushOutbox();
}

function flushOutbox(): void {
  if (outbox.length === 0) return;
  const messages = outbox;
  outbox = [];
  try {
    parentPort!.postMessage(messages);
  } catch {
    // A result that cannot cross threads: send each alone, that one as its error.
    for (const message of messages) postAlone(message);
  }
}

function postAlone(message: IsolatedMessage): void {
  try {
    parentPort!.postMessage([message]);
  } catch (error) {
    // Only an output can fail to cross (an error crosses as plain data).
    if (!Array.isArray(message)) return;
    const data: ErrorData = { code: 'OUTPUT_INVALID', message: `the result cannot cross threads: ${(error as Error).message}` };
    parentPort!.postMessage([{ type: 'result', key: message[0], result: { ok: false, error: data, logs: 0 } } satisfies IsolatedMessage]);
  }
}

/** Sends a log line of call `key`: on the pool's log channel, or on an isolated thread's port. */
const sendLog: (key: number, stream: 'stdout' | 'stderr', line: string) => void = isolated
  ? (key, stream, line) => postNow({ type: 'log', key, stream, line })
  : (key, stream, line) => logs.postMessage([key, stream, line] satisfies LogMessage);

/** One call on this thread; also its CallScope, so code it starts is traced back to it. */
class Call implements CallScope {
  /** The executor's AbortSignal is made only if it reads ctx.signal (most no-op calls never do). */
  readonly controller = new Cancellation();
  lines = 0;
  settled = false;
  timer?: NodeJS.Timeout;
  /** Rejects the executor's promise from outside (process.exit, an uncaught throw). */
  reject?: (error: unknown) => void;

  constructor(readonly task: WorkerTask) {}

  log(stream: 'stdout' | 'stderr', line: string): void {
    if (this.settled || !this.task.logs) return;
    this.lines++;
    sendLog(this.task.key, stream, line);
  }

  fail(error: unknown): void {
    if (this.settled) {
      process.stderr.write(`weft: task ${this.task.ctx.taskId} after it ended: ${(error as Error).message}\n`);
      return;
    }
    this.reject?.(error);
  }

  async run(): Promise<WorkerResult> {
    const { task, controller } = this;
    running.set(task.key, controller);
    try {
      // A loaded module's table is used as it is: an await per call is a promise per call.
      const executor = (modules.get(task.moduleUrl) ?? (await loadExecutors(task.moduleUrl)))[task.name];
      if (!executor) {
        return { ok: false, error: { code: 'UNKNOWN_EXECUTOR', message: `${task.moduleUrl} has no executor "${task.name}"` }, logs: 0 };
      }
      const ctx = new ThreadContext(task.ctx, envOf(task.ctx.envDelta), controller, (s, l) => this.log(s, l));
      // The timeout clock starts when the executor does, not while the call was queued or its module loaded.
      if (task.ctx.timeoutMs) {
        if (isolated) postNow({ type: 'started', key: task.key });
        this.timer = setTimeout(abortOnTimeout, task.ctx.timeoutMs, this, task.ctx.timeoutMs);
      }
      const value = await new Promise((resolve, reject) => {
        this.reject = reject;
        (task.batch ? runItems(executor, task.input as unknown[], ctx) : executor.run(task.input, ctx)).then(resolve, reject);
      });
      if (controller.aborted) return { ok: false, error: abortReasonToData(controller.reason), logs: this.lines };
      return { ok: true, value, logs: this.lines };
    } catch (error) {
      const data = controller.aborted ? abortReasonToData(controller.reason) : errorToData(error);
      // Stop whatever the failed call still runs (a process.exit or a stray throw ends it early).
      if (!controller.aborted) controller.abort(fromErrorData(data));
      return { ok: false, error: data, logs: this.lines };
    } finally {
      this.settled = true;
      clearTimeout(this.timer);
      running.delete(task.key);
    }
  }
}

function abortOnTimeout(call: Call, ms: number): void {
  if (isolated) postNow({ type: 'timedOut', key: call.task.key });
  call.controller.abort(new WeftError('TASK_TIMEOUT', `timed out after ${ms}ms`, { retryable: true }));
}

if (isolated) {
  // Tasks come in batches (the pool sends a turn's worth at once), a warm-up alone.
  parentPort!.on('message', (message: WorkerTask[] | Extract<ControlMessage, { type: 'warm' }>) => {
    if (!Array.isArray(message)) {
      void warmUp(message.executors);
      return;
    }
    for (let i = 0; i < message.length; ) {
      const task = message[i]!;
      if (task.chain === undefined) {
        void runTimed(task);
        i++;
        continue;
      }
      let end = i + 1;
      while (end < message.length && message[end]!.chain === task.chain) end++;
      void chains.run(message.slice(i, end));
      i = end;
    }
  });
}

/** Run a call on an isolated thread and post its result, with how long it took. */
async function runTimed(task: WorkerTask): Promise<void> {
  const start = performance.now();
  const result = await runTask(task);
  const ms = performance.now() - start;
  if (result.ok) return post([task.key, result.value, Math.round(ms * 1000)]);
  result.ms = ms;
  post({ type: 'result', key: task.key, result });
}

