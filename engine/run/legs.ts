// What a task expands into once its needs have ended: no loop (one instance), a forEach (one
// instance per item, `task[i]`) or a matrix (one per leg, named by its values). Conditions that
// read the loop (`item`, `index`, `matrix`) wait for the instance; the rest are decided once.
import { WeftError } from '../errors.js';
import { analyzeTemplate, renderValue } from '../handlebars/render.js';
import { expandMatrix, instanceName, type Combination } from '../plan/matrix.js';
import { isTruthy } from '../truthy.js';
import type { Leg, TaskSpec, TemplateScope } from '../types.js';
import type { RunContext } from './setup.js';
import { chunked } from '../plan/matrix.js';

/** One instance to add: its id and, in a loop, its leg. */
export type Planned = { id: string; index: number; leg?: Leg };

const LOOP_ROOTS = new Set(['item', 'index', 'matrix']);

/**
 * True when the template reads a loop variable, so it can only be rendered per instance.
 * @example readsLoop(ctx, "{{eq matrix.os 'windows'}}") // true
 */
export function readsLoop(ctx: RunContext, source: string): boolean {
  return analyzeTemplate(ctx.engine, source).paths.some((p) => LOOP_ROOTS.has(p.split('.')[0]!));
}

/** A condition with the scope it renders in: the task's own `if`, or an enclosing call's. */
export type Condition = { source: string; where: string; scope?: TemplateScope | undefined; own: boolean };

const NO_CONDITIONS: readonly Condition[] = Object.freeze([]);

/** The task's conditions, enclosing calls' first (outermost first), its own `if` last. */
export function conditionsOf(spec: TaskSpec): readonly Condition[] {
  if (!spec.guards?.length && spec.if === undefined) return NO_CONDITIONS;
  const out: Condition[] = (spec.guards ?? []).map((g) => ({ source: g.if, where: `task ${spec.id} (template call) if`, scope: g.scope, own: false }));
  if (spec.if !== undefined) out.push({ source: spec.if, where: `task ${spec.id} if`, own: true });
  return out;
}

/** Render one condition, for the task as a whole (no leg) or for one instance. Throws TEMPLATE_ERROR. */
export function conditionHolds(ctx: RunContext, spec: TaskSpec, condition: Condition, leg?: Leg): boolean {
  const scope = condition.own ? withLeg(ctx.scopeOf(spec, leg), leg) : ctx.scopeOf.at(condition.scope, leg);
  return isTruthy(renderValue(ctx.engine, condition.source, scope, { where: condition.where }));
}

function withLeg(view: Record<string, unknown>, leg: Leg | undefined): Record<string, unknown> {
  if (!leg) return view;
  return leg.matrix ? { ...view, item: leg.item, index: leg.index, matrix: leg.matrix } : { ...view, item: leg.item, index: leg.index };
}

/**
 * The instances of a task: undefined without a loop. Items render in the scope the loop came
 * from (a template call's loop in the call's scope). Throws TEMPLATE_ERROR for a loop that does
 * not give what it must.
 */
export function planInstances(ctx: RunContext, spec: TaskSpec): Planned[] | undefined {
  if (!spec.forEach && !spec.matrix) return undefined;
  const where = `task ${spec.id}`;
  const scope = spec.loopScope ? ctx.scopeOf.at(spec.loopScope.scope) : ctx.scopeOf(spec);
  if (spec.forEach) {
    const value = renderValue(ctx.engine, spec.forEach.items, scope, { where: `${where} forEach` });
    if (!Array.isArray(value)) {
      throw new WeftError('TEMPLATE_ERROR', `${where}: forEach must give an array, got ${value === null ? 'null' : typeof value}`);
    }
    return chunked(value, spec.forEach.chunk).map((item, index) => ({ id: `${spec.id}[${index}]`, index, leg: { item, index } }));
  }
  if (spec.matrix) {
    const legs = expandMatrix(renderMatrix(ctx, spec, scope));
    return legs.map((leg, index) => ({ id: instanceName(spec.id, leg), index, leg: { item: leg, index, matrix: leg } }));
  }
  return undefined;
}

function renderMatrix(ctx: RunContext, spec: TaskSpec, scope: Record<string, unknown>): { axes: Record<string, unknown[]>; include: Combination[]; exclude: Combination[] } {
  const where = `task ${spec.id} matrix`;
  const rendered = renderValue(ctx.engine, { ...spec.matrix }, scope, { where }) as { axes: Record<string, unknown>; include?: unknown; exclude?: unknown };
  const axes: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(rendered.axes)) {
    if (!Array.isArray(values)) throw new WeftError('TEMPLATE_ERROR', `${where}.${name}: an axis must give an array, got ${typeOfValue(values)}`);
    axes[name] = values;
  }
  return { axes, include: combinations(rendered.include, `${where}.include`), exclude: combinations(rendered.exclude, `${where}.exclude`) };
}

function combinations(value: unknown, where: string): Combination[] {
  if (value === undefined) return [];
  const ok = Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  if (!ok) throw new WeftError('TEMPLATE_ERROR', `${where}: must give a list of maps, got ${typeOfValue(value)}`);
  return value as Combination[];
}

function typeOfValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
