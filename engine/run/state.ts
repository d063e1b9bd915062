// The run loop's bookkeeping: one TaskState per declared task, one Instance per thing scheduled.
import { WeftError } from '../errors.js';
import type { ExecutorEntry } from '../executor.js';
import { remainingPathLengths } from '../plan/graph.js';
import type { Registry } from '../load/registry.js';
import type { Unit } from '../schedule/scheduler.js';
import { joinEntry } from './template-join.js';
import type { AttemptRecord, ErrorData, Leg, Pipeline, SkipReason, TaskResult, TaskSpec } from '../types.js';

/** The needs of a task that needs nothing, and its dependents when nothing needs it: shared, never written. */
const NO_TASKS: TaskState[] = [];
/** The instances of a task that has none yet: shared, never written (addInstance replaces it). */
export const NO_INSTANCES: Instance[] = [];

/**
 * A task while it runs: its needs, its instances (one unless forEach) and what came of them.
 * Every field, optional ones too, is set when it is made (createTaskStates, addInstance): an
 * object that gains fields later changes shape, and code reading many shapes runs slower (5% of
 * a 10k-task run here).
 */
export type TaskState = {
  spec: TaskSpec;
  entry: ExecutorEntry;
  /** Its place in declaration order. */
  index: number;
  waiting: number;
  /** The tasks it needs, in the order written, and those that need it. */
  needs: TaskState[];
  dependents: TaskState[];
  priority: number;
  instances: Instance[];
  open: number;
  /** Final status of the task as a whole; set once every instance ended. */
  status?: TaskResult['status'] | undefined;
  skipReason?: SkipReason | undefined;
  /** Every instance ended with the resumed run's output: its dependents may reuse theirs too. */
  resumed?: boolean | undefined;
  /** Its failure does not stop `when: success` dependents: set when each failed instance had continueOnError. */
  tolerated?: boolean | undefined;
  /** A service that passed its ready check: dependents were released while it keeps running. */
  ready?: boolean | undefined;
};

/** One schedulable run of a task: the task itself, or one item of its forEach. */
export type Instance = {
  id: string;
  task: TaskState;
  index: number;
  item?: unknown | undefined;
  /** The loop's view of this instance: item, index and, in a matrix, the leg. */
  leg?: Leg | undefined;
  /** The task's continueOnError, or its template rendered for this instance. */
  continueOnError: boolean;
  /** `timeout` and `model`, when templated rendered for this instance. */
  timeoutMs?: number | undefined;
  model?: string | undefined;
  unit: Unit;
  with: Record<string, unknown>;
  env: Record<string, string>;
  attempt: number;
  /** An attempt of its job is running (attempts.ts). */
  running: boolean;
  startedAt?: number | undefined;
  result?: TaskResult | undefined;
  /** Each attempt that ran, with its output's tail; copied into the instance's result. */
  attemptLog?: AttemptRecord[] | undefined;
  /** Its fingerprint, once an up-to-date check found it stale (engine/run/up-to-date.ts). */
  fingerprint?: string | undefined;
};

/**
 * A TaskState per task, in declaration order, with dependents linked and the default priority
 * (explicit `priority` first, then the longest remaining path).
 * @example const tasks = createTaskStates(pipeline, registry); tasks.get('build')!.dependents
 */
export function createTaskStates(pipeline: Pipeline, registry: Registry): Map<string, TaskState> {
  const tasks = new Map<string, TaskState>();
  let index = 0;
  for (const spec of listTasks(pipeline)) {
    // A template call's join runs no executor; joinEntry only fills the slot.
    const entry = spec.join ? joinEntry : registry.executors.get(spec.uses);
    if (!entry) throw new WeftError('UNKNOWN_EXECUTOR', `task ${spec.id}: unknown executor "${spec.uses}"`);
    tasks.set(spec.id, {
      spec,
      entry,
      index: index++,
      waiting: spec.needs.length,
      needs: NO_TASKS,
      dependents: NO_TASKS,
      priority: 0,
      instances: NO_INSTANCES,
      open: 0,
      status: undefined,
      skipReason: undefined,
      resumed: undefined,
      tolerated: undefined,
      ready: undefined,
    });
  }
  const states = [...tasks.values()];
  linkNeeds(states, tasks);
  // Explicit `priority` first, then the longest chain from the task to the end of the run, walked
  // over the linked states (building a graph of ids again cost most of a 10k-task run's setup).
  const lengths = remainingPathLengths({ nodes: states, indexOf: (s) => s.index, needCount: (s) => s.needs.length, dependentsOf: (s) => s.dependents });
  for (const s of states) s.priority = (s.spec.priority ?? 0) * 1e6 + lengths[s.index]!;
  return tasks;
}

/**
 * The pipeline's tasks in declaration order. A pipeline of many tasks is an object in dictionary
 * mode, where Object.values costs 5.7 ms for 10,000 keys and Object.keys with lookups 1.4 ms.
 * @example for (const spec of listTasks(pipeline)) console.log(spec.id)
 */
export function listTasks(pipeline: Pick<Pipeline, 'tasks'>): TaskSpec[] {
  const { tasks } = pipeline;
  const ids = Object.keys(tasks);
  const specs = new Array<TaskSpec>(ids.length);
  for (let i = 0; i < ids.length; i++) specs[i] = tasks[ids[i]!]!;
  return specs;
}

/**
 * Each state's needs and dependents, in declaration order. Every array is sized once: one grown
 * by push holds room for 17, and a 10k-task run keeps two per task until it ends (GC copies
 * what survives, so what a run keeps is what its collections cost).
 */
function linkNeeds(states: TaskState[], byId: Map<string, TaskState>): void {
  const dependents = new Int32Array(states.length);
  for (const state of states) {
    const ids = state.spec.needs;
    if (ids.length === 0) continue;
    const needs = new Array<TaskState>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const need = byId.get(ids[i]!)!;
      needs[i] = need;
      dependents[need.index]! += 1;
    }
    state.needs = needs;
  }
  for (const state of states) if (dependents[state.index]) state.dependents = new Array<TaskState>(dependents[state.index]!);
  const filled = new Int32Array(states.length);
  for (const state of states) for (const need of state.needs) need.dependents[filled[need.index]!++] = state;
}

/** A need that lets `when: success` dependents run: it succeeded, or failed with continueOnError. */
export function taskOk(state: TaskState): boolean {
  if (state.status === undefined) return state.ready === true;
  return state.status === 'success' || state.status === 'up-to-date' || (state.status === 'failed' && tolerated(state));
}

/** A failed task whose failure does not count: continueOnError, for the task or each failed instance. */
export function tolerated(state: TaskState): boolean {
  return state.spec.continueOnError || state.tolerated === true;
}

/** Runs when the run is cancelled too (within the grace period): `when: always` and `when: cancelled`. */
export function isCleanup(state: TaskState): boolean {
  return state.spec.when === 'always' || state.spec.when === 'cancelled';
}

/** Attempts and times of an instance that ends now. */
export function timing(inst: Instance): { attempts: number; startedAt: number; endedAt: number; durationMs: number; attemptLog?: AttemptRecord[] } {
  const endedAt = Date.now();
  const startedAt = inst.startedAt ?? endedAt;
  const { attempt: attempts, attemptLog } = inst;
  const durationMs = endedAt - startedAt;
  return attemptLog ? { attempts, startedAt, endedAt, durationMs, attemptLog } : { attempts, startedAt, endedAt, durationMs };
}

// Written out rather than `{ status, ...timing(inst), output }`: a spread between other fields
// is copied key by key at run time (0.07-0.13 µs here against 0.23-0.29), and nearly every
// task of a run ends through this one.
export function successResult(inst: Instance, output: unknown): TaskResult {
  const endedAt = Date.now();
  const startedAt = inst.startedAt ?? endedAt;
  const { attempt: attempts, attemptLog } = inst;
  const durationMs = endedAt - startedAt;
  return attemptLog
    ? { status: 'success', attempts, startedAt, endedAt, durationMs, attemptLog, output }
    : { status: 'success', attempts, startedAt, endedAt, durationMs, output };
}

export function failedResult(inst: Instance, error: ErrorData): TaskResult {
  return { status: 'failed', ...timing(inst), error };
}
