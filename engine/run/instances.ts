// From a task whose needs have ended to what the scheduler takes: its instances (one, or one per
// forEach item), each rendered (`with`, env, lock keys, weight), grouped into jobs. A job is what
// one executor call runs: a single instance, or every instance of a `batch: true` task.
import { toErrorData } from '../errors.js';
import { renderValue } from '../handlebars/render.js';
import type { Unit } from '../schedule/scheduler.js';
import type { ErrorData } from '../types.js';
import type { RunContext } from './setup.js';
import type { Instance, TaskState } from './state.js';
import { envValues } from './values.js';

/** One executor call's worth of work: `batch` jobs go to the executor's runBatch as one call. */
export type Job = { unit: Unit; members: Instance[]; batch: boolean };

/**
 * Add an instance to the task: the task itself (no item) or forEach item `index`.
 * @example addInstance(ctx, state, 'lint[2]', 2, { item: 'c.ts' })
 */
export function addInstance(ctx: RunContext, state: TaskState, id: string, index: number, item?: { item: unknown }): Instance {
  const unit: Unit = { id, priority: state.priority, locks: [] };
  if (state.spec.concurrency) unit.group = state.spec.id;
  if (state.spec.pool) unit.pool = state.spec.pool;
  const inst: Instance = { id, task: state, index, unit, with: {}, env: ctx.runEnv, attempt: 0 };
  if (item) inst.item = item.item;
  state.instances.push(inst);
  return inst;
}

/** The scope an instance's templates render in: its task's, plus `item` and `index` in a forEach. */
export function instanceScope(ctx: RunContext, inst: Instance): Record<string, unknown> {
  const base = ctx.scopeOf(inst.task.spec);
  return 'item' in inst ? { ...base, item: inst.item, index: inst.index } : base;
}

/** Render what the instance needs before it can be scheduled: `with`, env, lock keys, weight. */
function renderInstance(ctx: RunContext, inst: Instance): void {
  const { spec, entry } = inst.task;
  const where = `task ${inst.id}`;
  const scope = instanceScope(ctx, inst);
  const { shellFields = [], rawFields = [] } = entry.executor;
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec.with)) {
    rendered[key] = rawFields.includes(key)
      ? value
      : renderValue(ctx.engine, value, scope, { shell: shellFields.includes(key), where: `${where} with.${key}` });
  }
  inst.with = rendered;
  if (Object.keys(spec.env).length) {
    inst.env = { ...ctx.runEnv, ...envValues(renderValue(ctx.engine, spec.env, scope, { where: `${where} env` })) };
  }
  if (spec.locks.length) inst.unit.locks = spec.locks.map((l) => String(renderValue(ctx.engine, l, scope, { where: `${where} locks` })));
  if (entry.executor.weigh) inst.unit.weight = entry.executor.weigh(rendered, spec.model ? { model: spec.model } : {});
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
  const batch = state.spec.batch === true && state.spec.forEach !== undefined && state.entry.executor.runBatch !== undefined;
  if (!batch) return { jobs: ready.map((inst) => ({ unit: inst.unit, members: [inst], batch: false })), failed };
  if (!ready.length) return { jobs: [], failed };
  // A batch holds one slot of the task's pool, weighing what its members weigh together.
  const unit: Unit = { id: state.spec.id, priority: state.priority, locks: [], weight: ready.reduce((w, i) => w + (i.unit.weight ?? 0), 0) };
  if (state.spec.pool) unit.pool = state.spec.pool;
  return { jobs: [{ unit, members: ready, batch: true }], failed };
}
