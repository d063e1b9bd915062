// Threads of their own for `isolate` executors (node: a user's function). Piscina cannot end one
// chosen thread, and ending a shared thread would orphan other tasks' child processes; here each
// call's thread is known, so a call whose thread stops answering has that thread terminated and
// replaced, and the calls that shared it are sent to another thread.
import { Worker } from 'node:worker_threads';
import { WeftError, fromErrorData } from '../errors.js';
import type { CancelSignal } from './cancellation.js';
import { abortReasonToData } from './thread-errors.js';
import { NOT_STARTED } from './chains.js';
import type { ControlMessage, IsolatedMessage, OutputMessage, WarmList, WorkerResult, WorkerTask } from './worker.js';

/** How long past its timeout a call's thread may take to notice it before it counts as stuck. */
const STUCK_SLACK_MS = 500;
/** A call whose thread died under it (not by its fault) is sent again this many times at most. */
const MAX_RESENDS = 2;
/**
 * Quick calls share slots in chains of this many. Waking an idle thread costs more than a no-op
 * call on a small machine; a chain crosses to its thread in one message. 32 rather than 16: the
 * 10k no-op DAG at concurrency 4 sent its threads half as many messages, and the main thread's
 * CPU per run went from 198-211 ms to 171-179 ms (three runs of six, alternating).
 */
const CHAIN_LENGTH = 32;
/** A call is quick when its thread ran it in this long or less (by default). */
const QUICK_MS = 1;
/** Chains hold several calls after this many quick calls in a row, and one after a slow one. */
const QUICK_STREAK = 8;

export type IsolatedCall = {
  task: WorkerTask;
  signal?: CancelSignal | undefined;
  onLog?: ((stream: 'stdout' | 'stderr', line: string) => void) | undefined;
  /** Calls made one after another with the same chain run one after another on one thread. */
  chain?: object | undefined;
};

export type IsolatedThreads = {
  /** Resolves with the executor's output; rejects with the WeftError that ended the call. */
  run(call: IsolatedCall): Promise<unknown>;
  warm(executors: WarmList): void;
  /**
   * How many calls a chain should hold now: CHAIN_LENGTH while calls are quick, else 1. A chain's
   * calls wait for each other, so slow ones must not share a slot, nor show as started early.
   */
  chainLength(): number;
  close(): Promise<void>;
};

/**
 * A thread: its calls, and the tasks sent to it since the event loop last turned. They go in one
 * message: waking an idle thread costs more than the call itself on a small machine.
 */
type Thread = { worker: Worker; calls: Map<number, Pending>; dead: boolean; outbox: WorkerTask[] };

/**
 * A call on its way: also the listener on the caller's signal (handleEvent), so a call allocates
 * no closure for it (a 10k-task run makes 10k of these).
 */
class Pending implements IsolatedCall {
  readonly task: WorkerTask;
  readonly signal: CancelSignal | undefined;
  readonly onLog: IsolatedCall['onLog'];
  chain: object | undefined;
  thread?: Thread;
  resends = 0;
  timer?: NodeJS.Timeout;

  constructor(
    call: IsolatedCall,
    public resolve: (value: unknown) => void,
    public reject: (error: unknown) => void,
    private readonly onAbort: (pending: Pending) => void,
  ) {
    this.task = call.task;
    this.signal = call.signal;
    this.onLog = call.onLog;
    this.chain = call.chain;
  }

  handleEvent(): void {
    this.onAbort(this);
  }
}

/** The call's result as its promise's end: its output, or its error rebuilt as a WeftError. */
function finishWith(call: Pending, result: WorkerResult): void {
  if (result.ok) call.resolve(result.value);
  else call.reject(fromErrorData(result.error));
}

/**
 * Start `count` threads (lazily, at the first warm or call) running engine/pool/worker.js in isolated mode.
 * `postControl` reaches every thread of the pool (aborts travel there, as for Piscina's threads).
 * @example const threads = createIsolatedThreads(workerUrl, 2, workerData, control.postMessage.bind(control), 2000)
 */
export function createIsolatedThreads(
  workerUrl: string,
  count: number,
  workerData: Record<string, unknown>,
  postControl: (message: ControlMessage) => void,
  graceMs: number,
  perThread: number,
  quickMs = QUICK_MS,
): IsolatedThreads {
  const threads: Thread[] = [];
  /** Calls waiting for a thread with room (every thread runs `perThread` calls at most). */
  const queued: Pending[] = [];
  const warmList: WarmList = [];
  let closed = false;
  let flushing = false;
  let lastChain: object | undefined;
  let lastChainThread: Thread | undefined;
  let chainSeq = 0;
  /** Calls in a row that ran within quickMs. */
  let quick = 0;

  function start(): Thread {
    const worker = new Worker(new URL(workerUrl), { workerData: { ...workerData, isolated: true, preload: warmList } });
    const thread: Thread = { worker, calls: new Map(), dead: false, outbox: [] };
    worker.on('message', (messages: IsolatedMessage[]) => {
      for (const message of messages) receive(thread, message);
    });
    worker.on('error', () => {});
    worker.on('exit', () => lose(thread, undefined));
    threads.push(thread);
    return thread;
  }

  function ensureThreads(): void {
    while (!closed && threads.length < count) start();
  }

  function receive(thread: Thread, message: IsolatedMessage): void {
    if (Array.isArray(message)) return receiveOutput(thread, message);
    const call = thread.calls.get(message.key);
    if (!call) return;
    if (message.type === 'log') call.onLog?.(message.stream, message.line);
    else if (message.type === 'result') {
      const { result } = message;
      if (result.ms !== undefined) noteRun(result.ms);
      if (release(call, !result.ok && result.error.code === 'NOT_STARTED')) finishWith(call, result);
    }
    else if (message.type === 'started') {
      // The thread must notice the timeout itself; if it cannot (a loop that never yields), it is stuck.
      call.timer = setTimeout(replaceStuck, call.task.ctx.timeoutMs! + STUCK_SLACK_MS, call, 'timeout');
    } else {
      clearTimeout(call.timer);
      // Noticed, but the executor may ignore its abort: give it the grace, then end the thread.
      call.timer = setTimeout(replaceStuck, graceMs, call, 'timeout');
    }
  }

  /** A call's output: it ran and returned. */
  function receiveOutput(thread: Thread, [key, value, us]: OutputMessage): void {
    const call = thread.calls.get(key);
    if (!call) return;
    noteRun(us / 1000);
    if (release(call)) call.resolve(value);
  }

  /** A call ran this long: it adds to the streak of quick calls, or ends it. */
  function noteRun(ms: number): void {
    quick = ms <= quickMs ? quick + 1 : 0;
  }

  /**
   * The call is over: its thread and the caller's signal let it go. True when the caller should
   * end it as it ended; false when it was aborted, and has been ended with the abort's reason. A
   * call its thread never started (`unstarted`) ends as it ended even then: its caller schedules
   * it again or skips it.
   */
  function release(call: Pending, unstarted = false): boolean {
    clearTimeout(call.timer);
    if (call.thread?.calls.delete(call.task.key) && queued.length) dispatch(queued.shift()!);
    call.signal?.removeEventListener('abort', call);
    if (!call.signal?.aborted || unstarted) return true;
    call.reject(fromErrorData(abortReasonToData(call.signal.reason)));
    return false;
  }

  /** The call's thread did not stop it in time: end that thread; the call fails, its neighbours go elsewhere. */
  function replaceStuck(call: Pending, why: 'timeout' | 'abort'): void {
    const thread = call.thread;
    if (!thread || thread.dead) return;
    const ms = call.task.ctx.timeoutMs;
    const error =
      why === 'timeout'
        ? new WeftError('TASK_TIMEOUT', `timed out after ${ms}ms; its thread did not stop it and was replaced`, { retryable: true })
        : fromErrorData(abortReasonToData(call.signal?.reason));
    if (release(call)) call.reject(error);
    lose(thread, call);
    void thread.worker.terminate();
  }

  /** A thread is gone: start another, and send its other calls there (they did nothing wrong). */
  function lose(thread: Thread, culprit: Pending | undefined): void {
    if (thread.dead) return;
    thread.dead = true;
    thread.outbox = [];
    threads.splice(threads.indexOf(thread), 1);
    ensureThreads();
    for (const call of thread.calls.values()) {
      if (call === culprit) continue;
      clearTimeout(call.timer);
      if (call.task.chain !== undefined) {
        // Sent again alone, it would run beside its chain's others: its caller schedules it again.
        if (release(call, true)) finishWith(call, NOT_STARTED);
      } else if (closed || call.resends >= MAX_RESENDS) {
        if (release(call)) call.reject(new WeftError('TASK_FAILED', 'its worker thread ended while the task ran', { retryable: true }));
      } else {
        call.resends++;
        dispatch(call);
      }
    }
    thread.calls.clear();
  }

  function dispatch(call: Pending): void {
    let best = threads[0]!;
    for (const t of threads) if (t.calls.size < best.calls.size) best = t;
    if (call.chain) best = chainThread(call, best);
    else if (best.calls.size >= perThread) {
      queued.push(call);
      return;
    }
    call.thread = best;
    best.calls.set(call.task.key, call);
    if (best.outbox.push(call.task) === 1 && !flushing) {
      flushing = true;
      setImmediate(flush);
    }
  }

  /**
   * A chain's calls come one after another: they go to the thread its first call went to, and
   * the thread runs the calls of one chain in a row one after another (worker.ts).
   */
  function chainThread(call: Pending, best: Thread): Thread {
    if (call.chain !== lastChain || !lastChainThread || lastChainThread.dead) {
      lastChain = call.chain;
      lastChainThread = best;
      chainSeq++;
    }
    call.task.chain = chainSeq;
    return lastChainThread;
  }

  /** Send each thread the tasks given to it this turn, in one message. */
  function flush(): void {
    flushing = false;
    for (const thread of threads) {
      if (thread.outbox.length === 0) continue;
      thread.worker.postMessage(thread.outbox);
      thread.outbox = [];
    }
  }

  /** The caller's signal fired: a queued call ends here (it never ran); a sent one is asked to stop. */
  function abort(pending: Pending): void {
    const at = queued.indexOf(pending);
    if (at !== -1) {
      // Never sent: it ends with the abort's reason.
      queued.splice(at, 1);
      release(pending);
      return;
    }
    postControl({ type: 'abort', key: pending.task.key, reason: abortReasonToData(pending.signal!.reason) });
    clearTimeout(pending.timer);
    pending.timer = setTimeout(replaceStuck, graceMs, pending, 'abort');
  }

  return {
    run(call) {
      if (closed) return Promise.reject(new WeftError('TASK_CANCELLED', 'the executor pool is closed'));
      ensureThreads();
      return new Promise<unknown>((resolve, reject) => {
        const pending = new Pending(call, resolve, reject, abort);
        call.signal?.addEventListener('abort', pending);
        dispatch(pending);
      });
    },
    chainLength: () => (quick >= QUICK_STREAK ? CHAIN_LENGTH : 1),
    warm(executors) {
      warmList.push(...executors);
      ensureThreads();
      for (const t of threads) t.worker.postMessage({ type: 'warm', executors });
    },
    async close() {
      closed = true;
      // The pool has sent 'close' (every call aborts); give the calls the grace to say so.
      const calls = threads.flatMap((t) => [...t.calls.values()]);
      const settled = calls.map((c) => new Promise<void>((done) => {
        const { resolve, reject } = c;
        c.resolve = (r) => (resolve(r), done());
        c.reject = (e) => (reject(e), done());
      }));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(settled), new Promise((done) => (timer = setTimeout(done, graceMs)))]);
      clearTimeout(timer);
      const closing = (c: Pending) => release(c) && c.reject(new WeftError('TASK_CANCELLED', 'the executor pool is closed'));
      for (const c of queued.splice(0)) closing(c);
      for (const t of [...threads]) {
        for (const c of t.calls.values()) closing(c);
        t.dead = true;
      }
      await Promise.all(threads.map((t) => t.worker.terminate()));
      threads.length = 0;
    },
  };
}
