// The task lifecycle: a state machine over task states. A task waits for its needs; once they
// have ended it is resolved (skipped by `when`/`if`/cancellation, joined, or expanded into
// instances and handed to the attempt runner as jobs); when its instances have ended it is
// finished, published to templates as `tasks.<id>`, and releases its dependents.
// It starts no process and touches no pool: jobs go out through `enqueue`, results come back
// through `endInstance`.
import { toErrorData } from '../errors.js';
import { renderValue } from '../handlebars/render.js';
import { joinOutcome } from './template-join.js';
import type { ErrorData, SkipReason, TaskResult } from '../types.js';
import { addInstance, prepareJobs, type Job } from './instances.js';
import { conditionHolds, conditionsOf, planInstances, readsLoop, type Condition, type Planned } from './legs.js';
import { resumedResult } from './resume.js';
import { isCheckable } from './up-to-date.js';
import type { RunContext } from './setup.js';
import { failedResult, isCleanup, successResult, taskOk, tolerated, type Instance, type TaskState } from './state.js';

export interface Lifecycle {
  /** Resolve the tasks that need nothing; resolves once every task has ended. */
  start(): Promise<void>;
  /** An instance ended (ran, failed, was skipped at its start). Ending one twice is a no-op. */
  endInstance(inst: Instance, result: TaskResult): void;
  /** Why a ready instance must not start after all: cancelled, failFast, or the budget. */
  gate(inst: Instance): SkipReason | undefined;
  /** A failure is final: under failFast nothing new may start from now on. */
  noteFailure(inst: Instance): void;
  /** A service passed its ready check: its dependents may start while it keeps running. */
  serviceReady(inst: Instance): void;
  /**
   * The run was cancelled: every instance not running ends skipped, and so do unresolved tasks,
   * except `when: always|cancelled` ones, which run as their needs end. With `kill`, those too.
   */
  cancel(isRunning: (inst: Instance) => boolean, kill?: boolean): void;
}

/**
 * The lifecycle of one run's tasks.
 * @example
 * const lifecycle = createLifecycle(ctx, (job) => scheduler.push(job.unit));
 * await lifecycle.start();
 */
export function createLifecycle(ctx: RunContext, enqueue: (job: Job) => void, stopService: (inst: Instance) => void = () => {}): Lifecycle {
  return new TaskLifecycle(ctx, enqueue, stopService);
}

class TaskLifecycle implements Lifecycle {
  private finished = 0;
  private resolveDone!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  // `when: cancelled` tasks whose needs ended while the run was not cancelled: they wait for a
  // cancel, or for the rest of the run to end (then they end skipped, reason `when`).
  private readonly parked = new Set<TaskState>();

  constructor(
    private readonly ctx: RunContext,
    private readonly enqueue: (job: Job) => void,
    private readonly stopService: (inst: Instance) => void,
  ) {}

  start(): Promise<void> {
    const { tasks } = this.ctx;
    if (tasks.size === 0) this.resolveDone();
    // Roots are taken first: a root that ends at once (resumed, skipped) resolves its dependents
    // synchronously, and they must not be resolved a second time here.
    const roots = [...tasks.values()].filter((state) => state.waiting === 0);
    for (const state of roots) if (state.status === undefined) this.resolveTask(state);
    this.settleParked();
    return this.done;
  }

  private resolveTask(state: TaskState): void {
    const { ctx } = this;
    const { spec } = state;
    const { needs } = state;
    if (spec.when === 'cancelled' && !ctx.flags.aborted) {
      this.parked.add(state);
      return;
    }
    const skip = this.skipReasonOf(state, needs);
    if (skip) return this.skipTask(state, skip);
    if (spec.join) return this.endJoin(state, needs);
    let planned: Planned[] | undefined;
    // A condition that reads the loop waits for its instance; the others decide for the task.
    const conditions = conditionsOf(spec);
    // In a fanned-out template call, inputs themselves may come from the leg: its own if waits too.
    const legInputs = spec.scope?.fanout === true && spec.loopScope !== undefined;
    const perInstance = conditions.filter((c) => (spec.forEach || spec.matrix) && (readsLoop(ctx, c.source) || (c.own && legInputs)));
    try {
      for (const c of conditions) if (!perInstance.includes(c) && !conditionHolds(ctx, spec, c)) return this.skipTask(state, 'condition');
      planned = planInstances(ctx, spec);
    } catch (error) {
      if (ctx.dryRun && (spec.forEach || spec.matrix)) planned = [{ id: `${spec.id}[0]`, index: 0, leg: { item: '<item>', index: 0 } }];
      else return this.failTask(state, toErrorData(error, 'TEMPLATE_ERROR'));
    }
    // The run's task count grows by the instances - 1 (a forEach over nothing still counts as one).
    if (planned !== undefined) ctx.emit({ type: 'task:expand', id: spec.id, instances: planned.length });
    if (planned?.length === 0) return this.endEmptyForEach(state, needs);
    if (planned === undefined) addInstance(ctx, state, spec.id, 0);
    else for (const p of planned) addInstance(ctx, state, p.id, p.index, p.leg);
    state.open = state.instances.length;
    this.reuseResumed(state, needs, spec.forEach ? planned?.length : undefined);
    for (const inst of state.instances) {
      if (inst.result) continue;
      const skipped = this.instanceSkipped(state, inst, perInstance);
      if (skipped) this.endInstance(inst, skipped);
    }
    if (state.status !== undefined) return;
    const { jobs, failed } = prepareJobs(ctx, state);
    for (const [inst, error] of failed) this.endInstance(inst, failedResult(inst, error));
    for (const job of jobs) this.enqueue(job);
  }

  /** A per-instance condition: false skips the instance (reason `condition`); an error fails it. */
  private instanceSkipped(state: TaskState, inst: Instance, conditions: readonly Condition[]): TaskResult | undefined {
    if (conditions.length === 0) return undefined;
    try {
      const holds = conditions.every((c) => conditionHolds(this.ctx, state.spec, c, inst.leg));
      return holds ? undefined : { status: 'skipped', attempts: 0, reason: 'condition' };
    } catch (error) {
      if (this.ctx.dryRun) return undefined;
      return failedResult(inst, toErrorData(error, 'TEMPLATE_ERROR'));
    }
  }

  /** `when:` and cancellation, decided from how the needs ended. */
  private skipReasonOf(state: TaskState, needs: TaskState[]): SkipReason | undefined {
    const { when } = state.spec;
    const { flags } = this.ctx;
    if (flags.killed) return 'cancelled';
    if (flags.aborted) return isCleanup(state) ? undefined : 'cancelled';
    if (when === 'success' && !needs.every(taskOk)) return 'upstream';
    if (when === 'failure') {
      const failedUpstream = needs.some((n) => (n.status === 'failed' && !tolerated(n)) || n.skipReason === 'upstream');
      if (!failedUpstream) return 'when';
    }
    if (flags.stopping && when === 'success') return 'cancelled';
    return undefined;
  }

  private endEmptyForEach(state: TaskState, needs: TaskState[]): void {
    state.resumed = needs.every((n) => n.resumed);
    state.status = 'success';
    this.publishTask(state);
    // The report lists it as one task that succeeded with no output: the events say so too.
    const now = Date.now();
    this.ctx.emit({ type: 'task:end', id: state.spec.id, result: { status: 'success', attempts: 0, startedAt: now, endedAt: now, durationMs: 0, output: [] } });
    this.afterTask(state);
  }

  /** Reuse only when every need was reused: a need that ran again may have changed this task's inputs. */
  private reuseResumed(state: TaskState, needs: TaskState[], count: number | undefined): void {
    const previous = this.ctx.options.resume;
    // A need up to date gave the output it gave before, as a reused one does.
    if (!previous || !needs.every((n) => n.resumed || n.status === 'up-to-date')) return;
    // With up-to-date checks, a task with sources is reused only if its files say so.
    if (this.ctx.upToDate && isCheckable(state)) return;
    // A service is a process its dependents talk to: its old output is no server.
    if (state.spec.service) return;
    const now = Date.now();
    const reused = state.instances.map((inst) => resumedResult(previous, inst.id, count, now));
    state.resumed = reused.every(Boolean);
    state.instances.forEach((inst, i) => reused[i] && this.endInstance(inst, reused[i]));
  }

  /** A template call ends once its template's tasks have; its output is the template's outputs. */
  private endJoin(state: TaskState, needs: TaskState[]): void {
    const { spec } = state;
    const { ctx } = this;
    const outcome = joinOutcome(
      spec.id,
      needs.map((n) => {
        const joined = { id: n.spec.id, continueOnError: tolerated(n) };
        return { ...joined, ...(n.status && { status: n.status }), ...(n.skipReason && { skipReason: n.skipReason }) };
      }),
    );
    const inst = addInstance(ctx, state, spec.id, 0);
    state.open = 1;
    state.resumed = needs.every((n) => n.resumed);
    let result: TaskResult;
    if (outcome.status === 'success') {
      try {
        const output = ctx.dryRun
          ? { dryRun: true, outputs: spec.with }
          : renderValue(ctx.engine, spec.with, ctx.scopeOf(spec), { where: `task ${spec.id} outputs` });
        result = successResult(inst, output);
      } catch (error) {
        result = failedResult(inst, toErrorData(error, 'TEMPLATE_ERROR'));
      }
    } else if (outcome.status === 'failed') result = failedResult(inst, outcome.error);
    else if (outcome.status === 'skipped') result = { status: 'skipped', attempts: 0, reason: outcome.reason };
    else result = { status: 'cancelled', attempts: 0 };
    this.endInstance(inst, result);
  }

  endInstance(inst: Instance, ended: TaskResult): void {
    if (inst.result) return;
    const result = tolerate(inst.continueOnError, ended);
    inst.result = result;
    this.ctx.emit({ type: 'task:end', id: inst.id, result });
    if (result.status === 'failed') this.noteFailure(inst);
    const state = inst.task;
    state.open -= 1;
    if (state.open === 0) this.finishTask(state);
  }

  noteFailure(inst: Instance): void {
    if (!inst.continueOnError && !this.ctx.keepGoing) this.ctx.flags.stopping = true;
  }

  serviceReady(inst: Instance): void {
    const state = inst.task;
    if (state.ready || state.status !== undefined) return;
    state.ready = true;
    this.release(state);
    if (state.dependents.every((d) => d.status !== undefined)) this.stopService(inst);
  }

  private finishTask(state: TaskState): void {
    // One pass, no arrays: most tasks have one instance, and a 10k-task run ends 10k of them.
    let failed = 0;
    let toleratedFailures = 0;
    let cancelled = false;
    let allSkipped = true;
    let allUpToDate = true;
    for (const inst of state.instances) {
      const { status } = inst.result!;
      if (status === 'failed') {
        failed += 1;
        if (inst.continueOnError) toleratedFailures += 1;
      } else if (status === 'cancelled') cancelled = true;
      if (status !== 'skipped') allSkipped = false;
      if (status !== 'up-to-date') allUpToDate = false;
    }
    if (failed && toleratedFailures === failed) state.tolerated = true;
    if (failed) state.status = 'failed';
    else if (cancelled) state.status = 'cancelled';
    else if (allSkipped) {
      state.status = 'skipped';
      state.skipReason = (state.instances[0]!.result as { reason: SkipReason }).reason;
    } else state.status = allUpToDate ? 'up-to-date' : 'success';
    this.publishTask(state);
    this.afterTask(state);
  }

  /** Make the task's outcome visible to templates as `tasks.<id>`. */
  private publishTask(state: TaskState): void {
    const { spec } = state;
    if (spec.forEach || spec.matrix) {
      const outputs = state.instances.map(outputOf);
      const errors = state.instances.map((i) => (i.result?.status === 'failed' ? i.result.error : null));
      this.ctx.scope.tasks[spec.id] = { status: state.status!, output: outputs, outputs, errors };
    } else {
      const inst = state.instances[0];
      this.ctx.scope.tasks[spec.id] = { status: state.status!, output: inst ? outputOf(inst) : null };
    }
  }

  private skipTask(state: TaskState, reason: SkipReason): void {
    state.status = 'skipped';
    state.skipReason = reason;
    this.publishTask(state);
    this.ctx.emit({ type: 'task:end', id: state.spec.id, result: { status: 'skipped', attempts: 0, reason } });
    this.afterTask(state);
  }

  /** The task failed before it had instances (its `if` or `forEach` did not render). */
  private failTask(state: TaskState, error: ErrorData): void {
    const now = Date.now();
    const result = tolerate(state.spec.continueOnError, { status: 'failed', attempts: 0, startedAt: now, endedAt: now, durationMs: 0, error });
    state.status = 'failed';
    addInstance(this.ctx, state, state.spec.id, 0).result = result;
    this.publishTask(state);
    this.ctx.emit({ type: 'task:end', id: state.spec.id, result });
    if (!state.spec.continueOnError && !this.ctx.keepGoing) this.ctx.flags.stopping = true;
    this.afterTask(state);
  }

  private afterTask(state: TaskState): void {
    this.finished += 1;
    // A ready service released its dependents when it became ready.
    if (!state.ready) this.release(state);
    this.stopIdleServices(state);
    this.settleParked();
    if (this.finished === this.ctx.tasks.size) this.resolveDone();
  }

  private release(state: TaskState): void {
    for (const dep of state.dependents) {
      dep.waiting -= 1;
      if (dep.waiting === 0 && dep.status === undefined) this.resolveTask(dep);
    }
  }

  /** A ready service whose dependents have all ended is needed by nothing left in the run. */
  private stopIdleServices(ended: TaskState): void {
    for (const service of ended.needs) {
      if (service.ready && service.status === undefined && service.dependents.every((d) => d.status !== undefined)) {
        this.stopService(service.instances[0]!);
      }
    }
  }

  /** Nothing else can end now and the run was not cancelled: `when: cancelled` does not apply. */
  private settleParked(): void {
    if (!this.parked.size || this.ctx.flags.aborted || this.anyActive()) return;
    const waiting = [...this.parked];
    this.parked.clear();
    for (const p of waiting) this.skipTask(p, 'when');
  }

  /** A task has instances that have not all ended. */
  private anyActive(): boolean {
    for (const s of this.ctx.tasks.values()) if (s.status === undefined && s.instances.length > 0) return true;
    return false;
  }

  /**
   * On abort: tasks whose needs have not ended end skipped, so the run can close, and release
   * their dependents; cleanup tasks among them (unless `all`) wait for their needs instead.
   */
  private drainUnresolved(reason: SkipReason, all: boolean): void {
    for (const state of this.ctx.tasks.values()) {
      if (state.status !== undefined || state.instances.length > 0 || state.waiting <= 0) continue;
      if (!all && isCleanup(state)) continue;
      state.waiting = -1;
      state.status = 'skipped';
      state.skipReason = reason;
      this.publishTask(state);
      this.ctx.emit({ type: 'task:end', id: state.spec.id, result: { status: 'skipped', attempts: 0, reason } });
      this.finished += 1;
      this.release(state);
    }
    if (this.finished === this.ctx.tasks.size) this.resolveDone();
  }

  gate(inst: Instance): SkipReason | undefined {
    const { flags, budget } = this.ctx;
    if (flags.killed) return 'cancelled';
    if (flags.aborted && !isCleanup(inst.task)) return 'cancelled';
    if (flags.stopping && inst.task.spec.when === 'success') return 'cancelled';
    if (budget.spent && (inst.model ?? inst.task.spec.model)) return 'budget';
    return undefined;
  }

  cancel(isRunning: (inst: Instance) => boolean, kill = false): void {
    const { flags, tasks } = this.ctx;
    flags.aborted = true;
    flags.stopping = true;
    if (kill) flags.killed = true;
    for (const state of tasks.values()) {
      if (!kill && isCleanup(state)) continue;
      for (const inst of state.instances) {
        if (!inst.result && !isRunning(inst)) this.endInstance(inst, { status: 'skipped', attempts: inst.attempt, reason: 'cancelled' });
      }
    }
    const waiting = [...this.parked];
    this.parked.clear();
    for (const p of waiting) this.resolveTask(p);
    this.drainUnresolved('cancelled', kill);
  }
}

/** What templates read as an instance's output: null unless it succeeded (or was up to date). */
function outputOf(inst: Instance): unknown {
  return inst.result?.status === 'success' || inst.result?.status === 'up-to-date' ? inst.result.output : null;
}

/** A failure of a `continueOnError` task (or instance) is marked, so every view can count it apart. */
function tolerate(continueOnError: boolean, result: TaskResult): TaskResult {
  return result.status === 'failed' && continueOnError ? { ...result, tolerated: true } : result;
}
