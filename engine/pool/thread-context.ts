// The context an executor is given on a worker thread. Every context has one hidden class: a
// `get signal()` written into each context's literal after a spread gave each its own, and V8
// keeps those classes in old space with what their getters close over. Each call's objects then
// lived through young-generation collections and were promoted: 28% of an isolated thread's
// allocation, and as much GC time as the calls themselves took (10,000 no-op node calls).
import type { ExecutorContext, ExecutorOptions } from '../executor.js';
import type { Cancellation } from './cancellation.js';
import type { WorkerTask } from './worker.js';

/** `ctx.signal`, the same getter on every context: an AbortSignal is made only when read. */
const SIGNAL: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: ThreadContext): AbortSignal {
    return ThreadContext.signalOf(this);
  },
};

/**
 * An executor's context from what crossed with the call: every field of `sent` but envDelta,
 * the env it stands for, the call's cancellation (as `signal`) and its log.
 * @example const ctx = new ThreadContext(task.ctx, envOf(task.ctx.envDelta), call.controller, (s, l) => call.log(s, l));
 */
export class ThreadContext implements ExecutorContext {
  taskId: string;
  attempt: number;
  root: string;
  options: ExecutorOptions;
  model?: string;
  timeoutMs?: number;
  env: Record<string, string>;
  log: ExecutorContext['log'];
  declare readonly signal: AbortSignal;
  readonly #cancellation: Cancellation;

  constructor(sent: WorkerTask['ctx'], env: Record<string, string>, cancellation: Cancellation, log: ExecutorContext['log']) {
    this.taskId = sent.taskId;
    this.attempt = sent.attempt;
    this.root = sent.root;
    this.options = sent.options;
    // Own properties as before (a spread of the sent context), present even when undefined.
    this.model = sent.model!;
    this.timeoutMs = sent.timeoutMs!;
    this.env = env;
    this.log = log;
    this.#cancellation = cancellation;
    // An own, enumerable property, so `{ ...ctx }` keeps it, as executors do to pass ctx on.
    Object.defineProperty(this, 'signal', SIGNAL);
  }

  static signalOf(ctx: ThreadContext): AbortSignal {
    return ctx.#cancellation.signal;
  }
}

/** The fields the constructor copies: a field added to the sent context fails to compile until it is here. */
type Copied = 'taskId' | 'attempt' | 'root' | 'options' | 'model' | 'timeoutMs';
const everyFieldCopied: [Exclude<keyof WorkerTask['ctx'], Copied | 'envDelta'>] extends [never] ? true : never = true;
void everyFieldCopied;
