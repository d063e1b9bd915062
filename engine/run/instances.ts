// From a task whose needs have ended to what the scheduler takes: its instances (one, or one per
// forEach item), each rendered (`with`, env, lock keys, weight), grouped into jobs. A job is what
// one executor call runs: a single instance, or every instance of a `batch: true` task.
import { parseDuration } from '../duration.js';
import { WeftError, toErrorData } from '../errors.js';
import { isTemplate } from '../handlebars/is-template.js';
import { renderValue } from '../handlebars/render.js';
import { didYouMean } from '../suggest.js';
import { isTruthy } from '../truthy.js';
import type { Cancellation } from '../pool/cancellation.js';
import type { Unit } from '../schedule/scheduler.js';
import type { ErrorData, Leg } from '../types.js';
import type { RunContext } from './setup.js';
import { NO_INSTANCES, type Instance, type TaskState } from './state.js';
import { envValues } from './values.js';

/** One executor call's worth of work: `batch` jobs go to the executor's runBatch as one call. */
export type Job = {
  unit: Unit;
  members: Instance[];
  batch: boolean;
  /** The running attempt's cancellation; undefined while the job waits (engine/run/attempts.ts). */
  controller: Cancellation | undefined;
};

/** Shared by every unit without lock keys (most): renderInstance replaces it, never fills it. */
const NO_LOCKS: readonly string[] = Object.freeze([]);

/**
 * Add an instance to the task: the task itself (no leg), a forEach item or a matrix leg.
 * @example addInstance(ctx, state, 'lint[2]', 2, { item: 'c.ts', index: 2 })
 */
export function addInstance(ctx: RunContext, state: TaskState, id: string, index: number, leg?: Leg): Instance {
  // Every field set here, optional ones too: see TaskState.
  const unit: Unit = {
    id,
    priority: state.priority,
    group: state.spec.concurrency ? (state.spec.group ?? state.spec.id) : undefined,
    pool: state.spec.pool || undefined,
    locks: NO_LOCKS,
    weight: undefined,
    chainable: undefined,
  };
  const inst: Instance = {
    id,
    task: state,
    index,
    item: leg?.item,
    leg,
    continueOnError: state.spec.continueOnError,
    timeoutMs: undefined,
    model: undefined,
    unit,
    with: {},
    env: ctx.runEnv,
    attempt: 0,
    running: false,
    startedAt: undefined,
    result: undefined,
    attemptLog: undefined,
    fingerprint: undefined,
  };
  // Most tasks have one instance: an array of one, not one grown by push (room for 17).
  if (state.instances === NO_INSTANCES) state.instances = [inst];
  else state.instances.push(inst);
  return inst;
}

/** The scope an instance's templates render in: its task's, plus `item`, `index` (and `matrix`) in a loop. */
export function instanceScope(ctx: RunContext, inst: Instance): Record<string, unknown> {
  const { leg } = inst;
  const base = ctx.scopeOf(inst.task.spec, leg);
  if (!leg) return base;
  return leg.matrix ? { ...base, item: leg.item, index: leg.index, matrix: leg.matrix } : { ...base, item: leg.item, index: leg.index };
}

/** Fields written as templates (continueOnError, timeout, pool, model), rendered for the instance. */
function renderPerInstance(ctx: RunContext, inst: Instance, scope: Record<string, unknown>): void {
  const { spec } = inst.task;
  // Most tasks have none of these: nothing is made for them (this runs once per instance).
  if (spec.continueOnErrorIf === undefined && spec.templated === undefined) return;
  const where = `task ${inst.id}`;
  const render = (source: string, key: string): unknown => renderValue(ctx.engine, source, scope, { where: `${where} ${key}` });
  if (spec.continueOnErrorIf !== undefined) inst.continueOnError = isTruthy(render(spec.continueOnErrorIf, 'continueOnError'));
  const templated = spec.templated;
  if (!templated) return;
  if (templated.timeout !== undefined) inst.timeoutMs = parseDuration(String(render(templated.timeout, 'timeout')));
  if (templated.pool !== undefined) {
    const pool = String(render(templated.pool, 'pool'));
    if (!Object.hasOwn(ctx.pipeline.pools, pool)) throw new WeftError('TEMPLATE_ERROR', `${where} pool: no pool "${pool}"${didYouMean(pool, Object.keys(ctx.pipeline.pools))}`);
    inst.unit.pool = pool;
  }
  if (templated.model !== undefined) {
    const model = String(render(templated.model, 'model'));
    inst.model = ctx.pipeline.models.aliases[model] ?? model;
  }
}

/** An executor's shellFields or rawFields when it has none. */
const NO_FIELDS: readonly string[] = [];

/** A `with` value that renders to itself: a number, a boolean, null, or a string with no template. */
const rendersToItself = (value: unknown): boolean => (typeof value === 'string' ? !isTemplate(value) : typeof value !== 'object' || value === null);

/** Whether an object has a key, without listing them (Object.keys makes an array each time). */
function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

/** Render what the instance needs before it can be scheduled: `with`, env, lock keys, weight. */
function renderInstance(ctx: RunContext, inst: Instance): void {
  const { spec, entry } = inst.task;
  const scope = instanceScope(ctx, inst);
  renderPerInstance(ctx, inst, scope);
  const shellFields = entry.executor.shellFields ?? NO_FIELDS;
  const rawFields = entry.executor.rawFields ?? NO_FIELDS;
  const rendered: Record<string, unknown> = {};
  for (const key in spec.with) {
    const value = spec.with[key];
    // Most values are plain: they are copied without render options and a message made for each.
    rendered[key] =
      rawFields.includes(key) || rendersToItself(value)
        ? value
        : renderValue(ctx.engine, value, scope, { shell: shellFields.includes(key), where: `task ${inst.id} with.${key}` });
  }
  inst.with = rendered;
  if (hasKeys(spec.env)) {
    inst.env = { ...ctx.runEnv, ...envValues(renderValue(ctx.engine, spec.env, scope, { where: `task ${inst.id} env` })) };
  }
  if (spec.locks.length) inst.unit.locks = spec.locks.map((l) => String(renderValue(ctx.engine, l, scope, { where: `task ${inst.id} locks` })));
  const model = inst.model ?? spec.model;
  if (entry.executor.weigh) inst.unit.weight = entry.executor.weigh(rendered, model ? { model } : {});
}

/**
 * Render the instances that have not ended and group them into jobs. An instance whose templates
 * fail is returned apart with its error (on a dry run it keeps its `with` as written instead).
 */
export function prepareJobs(ctx: RunContext, state: TaskState): { jobs: Job[]; failed: Array<[Instance, ErrorData]> } {
  const failed: Array<[Instance, ErrorData]> = [];
  const ready: Instance[] = [];
  for (const inst of state.instances) {
    if (inst.result) continue;
    try {
      renderInstance(ctx, inst);
      ready.push(inst);
    } catch (error) {
      if (!ctx.dryRun) failed.push([inst, toErrorData(error, 'TEMPLATE_ERROR')]);
      else {
        inst.with = { ...state.spec.with };
        ready.push(inst);
      }
    }
  }
  const batch = state.spec.batch === true && (state.spec.forEach !== undefined || state.spec.matrix !== undefined) && state.entry.executor.runBatch !== undefined;
  if (!batch) return { jobs: ready.map((inst) => ({ unit: inst.unit, members: [inst], batch: false, controller: undefined })), failed };
  if (!ready.length) return { jobs: [], failed };
  // A batch holds one slot of the task's pool, weighing what its members weigh together.
  const unit: Unit = { id: state.spec.id, priority: state.priority, locks: [], weight: ready.reduce((w, i) => w + (i.unit.weight ?? 0), 0) };
  if (state.spec.pool) unit.pool = state.spec.pool;
  return { jobs: [{ unit, members: ready, batch: true, controller: undefined }], failed };
}
