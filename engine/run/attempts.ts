// The attempt runner: one path from "the scheduler gave this job its slots" to "its instances
// ended or will retry". A single task is a batch of one, so retries, signals for adaptive pools,
// budget accounting and cancellation are written once.
import { WeftError, toErrorData } from '../errors.js';
import type { ExecutorEntry, ExecutorOptions, ExecutorSignals } from '../executor.js';
import { Cancellation } from '../pool/cancellation.js';
import type { BatchItemResult, CallContext } from '../pool/local.js';
import type { Chain, Outcome, Scheduler, StartInfo } from '../schedule/scheduler.js';
import type { AttemptRecord, ErrorData, TaskResult } from '../types.js';
import type { Job } from './instances.js';
import { instanceScope } from './instances.js';
import type { Lifecycle } from './lifecycle.js';
import { pluginOptions } from '../load/settings.js';
import { checkOutput } from './output.js';
import { createTail, type TailBuffer } from './output-tail.js';
import { nextDelay, shouldRetry } from './retry.js';
import type { RunContext } from './setup.js';
import { failedResult, isCleanup, successResult, timing, type Instance } from './state.js';
import { isCheckable, type UpToDateVerdict } from './up-to-date.js';
import { splitSignals } from './values.js';
import { renderValue } from '../handlebars/render.js';
import { watchReady, type ReadyWatch } from './ready.js';
import type { ReadyCheck } from '../types.js';

/** A running service: its readiness watch, whether it gave its slot back, whether it was stopped on purpose. */
type ServiceRun = { watch?: ReadyWatch; slotFreed: boolean; stopped: boolean };

function describeCheck(check: ReadyCheck): string {
  if ('http' in check) return `GET ${check.http} never answered 2xx`;
  if ('tcp' in check) return `nothing accepted connections on ${check.tcp}`;
  return `no output line matched /${check.log}/`;
}

/** What one attempt printed, kept per stream from its first line (a silent task allocates nothing). */
type Capture = { startedAt: number; stdout?: TailBuffer; stderr?: TailBuffer };

/**
 * What a dry run reports for an instance: its executor, rendered `with`, model, and the text of
 * its command field (the executor's first shellField), which the CLI prints as `$ command`.
 */
function dryRunOutput(inst: Instance): Record<string, unknown> {
  const { spec, entry } = inst.task;
  const out: Record<string, unknown> = { dryRun: true, uses: spec.uses, with: inst.with };
  const field = entry.executor.shellFields?.[0];
  if (field && typeof inst.with[field] === 'string') out['command'] = { field, text: inst.with[field] };
  const model = inst.model ?? spec.model;
  if (model) out['model'] = model;
  return out;
}

/** How one member's call ended: what its result and its attempt record are made from. */
type CallEnd = { status: 'success'; output: unknown } | { status: 'failed'; error: ErrorData };

const resultOf = (inst: Instance, end: CallEnd): TaskResult => (end.status === 'success' ? successResult(inst, end.output) : failedResult(inst, end.error));

/** How long past a task's timeout the main thread waits for its worker to report the timeout itself. */
const TIMEOUT_BACKSTOP_MS = 5000;

export interface AttemptRunner {
  /** The job is ready: hand it to the scheduler. */
  enqueue(job: Job): void;
  /** The scheduler gave the job its slots (scheduler `start`). */
  start(unitId: string, info: StartInfo): void;
  /** Abort running calls (all, or those `which` picks) and drop pending retries. */
  cancel(which?: (inst: Instance) => boolean): void;
  isRunning(inst: Instance): boolean;
  /** Stop a ready service: nothing left in the run needs it. It ends `success` with its output so far. */
  stopService(inst: Instance): void;
  /** Clear timers left behind. */
  close(): void;
}

/**
 * Run jobs through the pool on the scheduler's word, ending instances through the lifecycle.
 * @example const attempts = createAttemptRunner(ctx, scheduler, lifecycle)
 */
export function createAttemptRunner(ctx: RunContext, scheduler: Scheduler, lifecycle: Lifecycle): AttemptRunner {
  return new Attempts(ctx, scheduler, lifecycle);
}

class Attempts implements AttemptRunner {
  /** Jobs queued or running, by unit id: one that ended is dropped (a run keeps what it holds). */
  private readonly jobs = new Map<string, Job>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly services = new Map<Job, ServiceRun>();
  /** ctx.options per executor, without and with the response cache (optionsFor). */
  private readonly options = new Map<ExecutorEntry, [ExecutorOptions, ExecutorOptions]>();
  /** The pool was told to stop chains: the run stopped. */
  private chainsStopped = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly scheduler: Scheduler,
    private readonly lifecycle: Lifecycle,
  ) {}

  enqueue(job: Job): void {
    this.jobs.set(job.unit.id, job);
    if (this.chainable(job)) job.unit.chainable = true;
    this.scheduler.push(job.unit);
  }

  /**
   * Whether the job may share a slot with others: a plain call of an isolated executor (a node
   * function) on a pool that runs chains. A service, a batch or an up-to-date check is not plain.
   */
  private chainable(job: Job): boolean {
    const { task } = job.members[0]!;
    if (this.ctx.pool?.chainLength === undefined || task.entry.executor.isolate !== true) return false;
    return !job.batch && !task.spec.service && !(this.ctx.upToDate && isCheckable(task));
  }

  cancel(which?: (inst: Instance) => boolean): void {
    for (const job of this.jobs.values()) {
      if (job.controller && (!which || which(job.members[0]!))) job.controller.abort(new WeftError('TASK_CANCELLED', 'run cancelled'));
    }
    this.close();
  }

  stopService(inst: Instance): void {
    for (const [job, service] of this.services) {
      if (job.members[0] !== inst || service.stopped) continue;
      service.stopped = true;
      job.controller?.abort(new WeftError('TASK_CANCELLED', 'service stopped: nothing left in the run needs it'));
    }
  }

  isRunning(inst: Instance): boolean {
    return inst.running;
  }

  close(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  start(unitId: string, { circuitOpen, chain }: StartInfo): void {
    const job = this.jobs.get(unitId)!;
    const gate = this.lifecycle.gate(job.members[0]!);
    if (gate) {
      this.stopChainsIfStopping();
      this.jobs.delete(unitId);
      this.scheduler.done(unitId, { ok: true, skipped: true });
      for (const m of job.members) this.lifecycle.endInstance(m, { status: 'skipped', attempts: m.attempt, reason: gate });
      return;
    }
    if (circuitOpen) {
      const error: ErrorData = { code: 'CIRCUIT_OPEN', message: `pool ${job.unit.pool}: circuit open after repeated failures` };
      this.endAll(job, { ok: false }, job.members.map((m) => failedResult(m, error)));
      return;
    }
    if (this.checkable(job)) void this.checkThenAttempt(job);
    else void this.attempt(job, chain);
  }

  private async attempt(job: Job, chain?: Chain): Promise<void> {
    const now = Date.now();
    // Running from before task:start, so a cancellation heard in that event finds it running.
    const controller = new Cancellation();
    if (!this.ctx.dryRun) {
      job.controller = controller;
      for (const m of job.members) m.running = true;
    }
    for (const m of job.members) {
      m.attempt += 1;
      m.startedAt ??= now;
      this.ctx.emit({ type: 'task:start', id: m.id, attempt: m.attempt, at: now });
    }
    if (this.ctx.dryRun) {
      const results = job.members.map((m) => successResult(m, dryRunOutput(m)));
      return this.endAll(job, { ok: true, skipped: true }, results);
    }
    if (job.members[0]!.task.entry.executor.startsProcesses !== false) this.ctx.watchdog?.arm();
    const call = this.callContext(job);
    const backstop = call.timeoutMs ? this.backstop(controller, call.timeoutMs) : undefined;
    const capture: Capture = { startedAt: now };
    const service = job.members[0]!.task.spec.service ? this.watchService(job, controller) : undefined;
    try {
      const opts = { signal: controller, onLog: this.logTo(job, capture), chain };
      const { pool } = this.ctx;
      const { entry } = job.members[0]!.task;
      const items: BatchItemResult[] = job.batch
        ? await pool!.runBatch(entry, job.members.map((m) => m.with), call, opts)
        : [{ ok: true, output: await pool!.run(entry, job.members[0]!.with, call, opts) }];
      this.stopRunning(job, backstop, service);
      this.settleItems(job, items, capture);
    } catch (error) {
      this.stopRunning(job, backstop, service);
      const data = toErrorData(error);
      if (data.code === 'NOT_STARTED') this.unstarted(job);
      else this.settleFailedCall(job, data, capture);
    }
  }

  /** Stopping, the run starts nothing new: neither may the calls still waiting in a chain. */
  private stopChainsIfStopping(): void {
    if (!this.ctx.flags.stopping || this.chainsStopped) return;
    this.chainsStopped = true;
    this.ctx.pool?.stopChains?.();
  }

  /**
   * A chained call its thread never started: the run stopped, it was cancelled, or its thread
   * was replaced. It goes back to the scheduler, whose gate decides as if it had waited there.
   */
  private unstarted(job: Job): void {
    const inst = job.members[0]!;
    inst.attempt -= 1;
    this.scheduler.done(job.unit.id, { ok: true, skipped: true });
    const gate = this.lifecycle.gate(inst);
    if (!gate) return this.scheduler.push(job.unit);
    this.jobs.delete(job.unit.id);
    this.lifecycle.endInstance(inst, { status: 'skipped', attempts: inst.attempt, reason: gate });
  }

  /** The attempt's call ended: it no longer runs, and neither do its backstop and readiness watch. */
  private stopRunning(job: Job, backstop: NodeJS.Timeout | undefined, service: ServiceRun | undefined): void {
    clearTimeout(backstop);
    service?.watch?.stop();
    job.controller = undefined;
    for (const m of job.members) m.running = false;
  }

  /**
   * Render → fingerprint check → pool.run: a first attempt of a task with sources or generates
   * ends up-to-date, with its recorded output, when nothing it depends on changed. The check
   * reads files, so it ends a tick later: the gate (cancellation, failFast) is asked again.
   */
  private async checkThenAttempt(job: Job): Promise<void> {
    const leader = job.members[0]!;
    let verdict: UpToDateVerdict;
    try {
      verdict = await this.ctx.upToDate!.check(leader);
    } catch (error) {
      // A source that exists but cannot be read.
      this.endAll(job, { ok: false }, [failedResult(leader, toErrorData(error, 'TASK_FAILED'))]);
      return;
    }
    const gate = leader.result ? 'cancelled' : this.lifecycle.gate(leader);
    if (gate) {
      this.jobs.delete(job.unit.id);
      this.scheduler.done(job.unit.id, { ok: true, skipped: true });
      this.lifecycle.endInstance(leader, { status: 'skipped', attempts: leader.attempt, reason: gate });
      return;
    }
    if (!verdict.upToDate) return this.attempt(job);
    const now = Date.now();
    const result: TaskResult = { status: 'up-to-date', attempts: 0, startedAt: now, endedAt: now, durationMs: 0, output: verdict.output };
    this.endAll(job, { ok: true, skipped: true }, [result]);
  }

  /** Whether the job takes an up-to-date check first: a first attempt of a task with sources or generates. */
  private checkable(job: Job): boolean {
    return this.ctx.upToDate !== undefined && !job.batch && job.members[0]!.attempt === 0 && isCheckable(job.members[0]!.task);
  }

  /**
   * A service runs like any task, but its dependents start once its ready check passes: then its
   * slot is freed and the lifecycle releases them. Not ready in time: it is aborted, and fails.
   */
  private watchService(job: Job, controller: Cancellation): ServiceRun {
    const leader = job.members[0]!;
    const spec = leader.task.spec.service!;
    const run: ServiceRun = { slotFreed: false, stopped: false };
    this.services.set(job, run);
    let ready: ReadyCheck;
    try {
      ready = renderValue(this.ctx.engine, spec.ready, instanceScope(this.ctx, leader), { where: `task ${leader.id} service.ready` }) as ReadyCheck;
    } catch (error) {
      controller.abort(error);
      return run;
    }
    run.watch = watchReady(ready, spec.timeoutMs, {
      onReady: () => {
        run.slotFreed = true;
        this.scheduler.done(job.unit.id, { ok: true });
        this.lifecycle.serviceReady(leader);
      },
      onTimeout: () => controller.abort(new WeftError('TASK_TIMEOUT', `service not ready after ${spec.timeoutMs}ms: ${describeCheck(ready)}`)),
    });
    return run;
  }

  /** Where the call's lines go: the attempt's capture, the live log, and a service's readiness watch. */
  private logTo(job: Job, capture: Capture): (stream: 'stdout' | 'stderr', line: string) => void {
    const leader = job.members[0]!;
    const logId = job.batch ? leader.task.spec.id : leader.id;
    const service = this.services.get(job);
    return (stream, line) => {
      (capture[stream] ??= createTail()).push(line);
      this.ctx.emit({ type: 'task:log', id: logId, stream, line });
      service?.watch?.line(line);
    };
  }

  /** The call returned: each member's output or error. Results are timed and spend accounted before done() may start the next unit. */
  private settleItems(job: Job, items: BatchItemResult[], capture: Capture): void {
    let rateLimitRemaining: number | undefined;
    const ends = job.members.map((m, i): CallEnd => {
      const item = items[i];
      if (!item) return { status: 'failed', error: { code: 'INTERNAL', message: 'batch returned no result' } };
      if (!item.ok) return { status: 'failed', error: item.error };
      const { output, signals } = splitSignals(item.output);
      this.countSignals(signals);
      if (signals?.rateLimitRemaining !== undefined) rateLimitRemaining = Math.min(rateLimitRemaining ?? 1, signals.rateLimitRemaining);
      this.ctx.budget.account(output);
      const invalid = checkOutput(output);
      if (invalid) return { status: 'failed', error: invalid };
      this.ctx.upToDate?.succeeded(m, output);
      return { status: 'success', output };
    });
    const outcome: Outcome = { ok: true };
    if (rateLimitRemaining !== undefined) outcome.rateLimitRemaining = rateLimitRemaining;
    this.recordAttempts(job, capture, ends);
    this.endAll(job, outcome, job.members.map((m, i) => resultOf(m, ends[i]!)));
  }

  /** The whole call failed: retry it after its backoff, or end every member with the error. */
  private settleFailedCall(job: Job, error: ErrorData, capture: Capture): void {
    const overloaded = error.status === 429 || error.status === 529 || error.code === 'RATE_LIMITED' || error.code === 'OVERLOADED';
    const leader = job.members[0]!;
    const service = this.services.get(job);
    if (service) return this.settleService(job, service, error, capture);
    if (!this.ctx.flags.aborted && !this.ctx.flags.stopping && shouldRetry(error, leader.attempt, leader.task.spec.retry)) {
      this.recordAttempts(job, capture, job.members.map(() => ({ status: 'failed', error })));
      this.scheduler.done(job.unit.id, { ok: false, overloaded });
      return this.retryLater(job, error);
    }
    const cancelled = this.cancelledNow(leader);
    this.recordAttempts(job, capture, job.members.map(() => (cancelled ? { status: 'cancelled' } : { status: 'failed', error })));
    const results = job.members.map((m): TaskResult => (cancelled ? { ...timing(m), status: 'cancelled', reason: error.message } : failedResult(m, error)));
    this.endAll(job, { ok: false, overloaded }, results);
  }

  /** A cleanup task fails like any task during the grace period; the others end cancelled once the run is. */
  private cancelledNow(inst: Instance): boolean {
    const { flags } = this.ctx;
    return flags.killed || (flags.aborted && !isCleanup(inst.task));
  }

  /** A service ended by an error: stopped on purpose, it succeeded; else it failed (or was cancelled). Its output so far is kept. */
  private settleService(job: Job, service: ServiceRun, error: ErrorData, capture: Capture): void {
    const leader = job.members[0]!;
    // The last 64 KiB of each stream, like a failed attempt's excerpt.
    const output = { stdout: capture.stdout?.finish().text ?? '', stderr: capture.stderr?.finish().text ?? '', stopped: service.stopped };
    const status = service.stopped ? 'success' : this.cancelledNow(leader) ? 'cancelled' : 'failed';
    this.recordAttempts(job, capture, [status === 'failed' ? { status, error } : { status }]);
    let result: TaskResult;
    if (status === 'success') result = successResult(leader, output);
    else if (status === 'cancelled') result = { ...timing(leader), status, reason: error.message };
    else result = { ...failedResult(leader, error), output } as TaskResult;
    this.endAll(job, { ok: status === 'success' }, [result]);
  }

  /**
   * Keep how each member's attempt ended and what it printed, failed or not: a failed test step's
   * output is what says why. Recorded before the member's result is made: the result holds its log.
   */
  private recordAttempts(job: Job, capture: Capture, ends: Array<Pick<AttemptRecord, 'status' | 'error'>>): void {
    const endedAt = Date.now();
    const stdout = capture.stdout?.finish();
    const stderr = capture.stderr?.finish();
    job.members.forEach((m, i) => {
      const end = ends[i]!;
      const record: AttemptRecord = { attempt: m.attempt, startedAt: capture.startedAt, endedAt, status: end.status };
      if (end.error) record.error = end.error;
      if (stdout) record.stdout = stdout;
      if (stderr) record.stderr = stderr;
      // A log of one is an array of one: one grown by push holds room for 17, kept till the run ends.
      if (m.attemptLog) m.attemptLog.push(record);
      else m.attemptLog = [record];
    });
  }

  /**
   * Free the job's slots and end its members. A final failure is noted first: done() may start
   * the next unit synchronously, and under failFast it must not start.
   */
  private endAll(job: Job, outcome: Outcome, results: TaskResult[]): void {
    job.members.forEach((m, i) => results[i]!.status === 'failed' && this.lifecycle.noteFailure(m));
    this.stopChainsIfStopping();
    // A ready service gave its slot back when it became ready.
    const service = this.services.get(job);
    this.services.delete(job);
    this.jobs.delete(job.unit.id);
    if (!service?.slotFreed) this.scheduler.done(job.unit.id, outcome);
    job.members.forEach((m, i) => this.lifecycle.endInstance(m, results[i]!));
  }

  private countSignals(signals: ExecutorSignals | undefined): void {
    if (signals?.cache === 'hit') this.ctx.cache.hits += 1;
    else if (signals?.cache === 'miss') this.ctx.cache.misses += 1;
  }

  /** Back to the scheduler after the backoff, competing for slots (and a rate pool's tokens) again. */
  private retryLater(job: Job, error: ErrorData): void {
    const leader = job.members[0]!;
    const delayMs = nextDelay(error, leader.attempt, leader.task.spec.retry);
    this.ctx.emit({ type: 'task:retry', id: job.unit.id, attempt: leader.attempt, delayMs, error });
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!leader.result) this.scheduler.push(job.unit);
    }, delayMs);
    this.retryTimers.add(timer);
  }

  /**
   * ctx.options of an executor's calls, with or without the response cache: built once per run
   * and shared (frozen), where one per task was kept by a 10k-task run till its end.
   */
  private optionsFor(entry: ExecutorEntry, cache: boolean): ExecutorOptions {
    let built = this.options.get(entry);
    if (!built) {
      const base = { ...pluginOptions(entry, this.ctx.pipeline.config), ...this.ctx.execOptions };
      built = [Object.freeze({ ...base, cache: false }), Object.freeze({ ...base, cache: true })];
      this.options.set(entry, built);
    }
    return built[cache ? 1 : 0];
  }

  /** The call's context: what the executor is told of the task and this attempt. */
  private callContext(job: Job): CallContext {
    const leader = job.members[0]!;
    const { spec, entry } = leader.task;
    let options = this.optionsFor(entry, spec.cache !== false && !this.ctx.options.noCache);
    if (entry.executor.needsScope) options = { ...options, scope: instanceScope(this.ctx, leader) };
    // The pool sends a thread only how this env differs from the one it was given at its start.
    const call: CallContext = { taskId: job.unit.id, attempt: leader.attempt, root: this.ctx.pipeline.root, options, env: leader.env };
    const model = leader.model ?? spec.model;
    const timeoutMs = leader.timeoutMs ?? spec.timeoutMs;
    if (model) call.model = model;
    if (timeoutMs) call.timeoutMs = timeoutMs;
    return call;
  }

  /** A timer that ends the attempt a while after its timeout, should its worker be too busy to report it. */
  private backstop(controller: Cancellation, timeoutMs: number): NodeJS.Timeout {
    return setTimeout(
      () => controller.abort(new WeftError('TASK_TIMEOUT', `timed out after ${timeoutMs}ms`, { retryable: true })),
      timeoutMs + TIMEOUT_BACKSTOP_MS,
    );
  }
}
