// `weft plan`: what may run together, the chain that bounds the run, each llm task's model and,
// given the executors, the worst case the run may spend.
import { expandMatrix } from './matrix.js';
import { buildGraph, criticalPath, planBatches } from './graph.js';
import type { Registry } from '../load/registry.js';
import { resolveInputs } from '../input-values.js';
import { chunked } from './matrix.js';
import { engineFor } from '../load/project.js';
import { pluginOptions } from '../load/settings.js';
import { analyzeTemplate, createTemplateEngine, isTemplate, renderString, type TemplateEngine } from '../handlebars/render.js';
import { holdsTemplate } from '../handlebars/is-template.js';
import type { Pipeline, Plan, TaskSpec } from '../types.js';

/** One task's worst case: per call, how many calls (undefined: a forEach known only at run time), and the product. */
export type TaskCost = { perCall: { tokens?: number; costUsd?: number }; calls?: number; tokens?: number; costUsd?: number };

/**
 * The worst case of the tasks whose executor estimates it. `costUsd` and `tokens` sum what is
 * known; `complete` is false when some task's calls or price are not known before the run.
 */
export type PlanCost = { tasks: Record<string, TaskCost>; tokens: number; costUsd: number; complete: boolean };

export type PlanResult = Plan & { cost?: PlanCost };

export type PlanOptions = {
  /** Executors with an `estimate` hook add the worst-case cost; its helpers render templates. */
  registry?: Registry;
  /** Input values over the declared defaults, checked as a run checks them (INPUT_INVALID). */
  inputs?: Record<string, unknown>;
  /** The project's partials (loadPartials), so `{{> name}}` renders at plan time. */
  partials?: Record<string, string>;
  /** The template engine loading built; made from registry and partials otherwise. */
  engine?: TemplateEngine;
};

/**
 * The plan of a loaded pipeline. Batches are a picture of the graph's levels, not the order the
 * scheduler runs tasks in (it starts each task as soon as its needs are done). With a registry,
 * executors that have an `estimate` hook (llm) add the worst-case cost. What is known before the
 * run is rendered first: `inputs` (defaults and given values), `pipeline.name`, partials, and
 * `item`/`index` of a forEach whose items render then (each item priced, the width known). A
 * string that reads `tasks.*`, `secrets.*`, `env.*` or `run.*` stays a template, which the
 * estimate bounds as open.
 * @example
 * planPipeline(pipeline) // { batches: [['scan'], ['security']], criticalPath: ['scan', 'security'], models: { security: 'claude-opus-5-5' } }
 * planPipeline(pipeline, { registry }).cost // { tasks: { security: { calls: 1, costUsd: 0.09, … } }, costUsd: 0.09, complete: true, … }
 */
export function planPipeline(pipeline: Pipeline, options: PlanOptions = {}): PlanResult {
  const graph = buildGraph(pipeline.tasks);
  const models: Record<string, string> = {};
  for (const task of Object.values(pipeline.tasks)) if (task.model !== undefined) models[task.id] = task.model;
  // A template call's join is bookkeeping, not work: the template's own tasks stand for it.
  const work = (id: string) => !pipeline.tasks[id]!.join;
  const batches = planBatches(graph).map((batch) => batch.filter(work)).filter((batch) => batch.length > 0);
  const path = criticalPath(graph, (id) => (work(id) ? 1 : 0)).filter(work);
  const plan: PlanResult = { batches, criticalPath: path, models };
  if (options.registry) {
    const cost = worstCase(pipeline, options.registry, planScope(pipeline, options));
    if (Object.keys(cost.tasks).length > 0) plan.cost = cost;
  }
  return plan;
}

// What templates may read before the run. `inputs` holds the values known (a required input
// with no value is left out); `allInputs` says whether that is every declared input.
type PlanScope = { engine?: TemplateEngine | undefined; inputs: Record<string, unknown>; allInputs: boolean; name: string };

function planScope(pipeline: Pipeline, options: PlanOptions): PlanScope {
  // A required input may have no value yet: it is unknown at plan time, not an error.
  const optional = Object.fromEntries(Object.entries(pipeline.inputs).map(([name, spec]) => [name, { ...spec, required: false }]));
  const inputs = resolveInputs({ ...pipeline, inputs: optional }, options.inputs);
  const allInputs = Object.keys(pipeline.inputs).every((name) => Object.hasOwn(inputs, name));
  let engine = options.engine;
  try {
    engine ??= options.registry ? engineFor(options.registry, options.partials) : createTemplateEngine({ partials: options.partials ?? {} });
  } catch {
    engine = undefined; // nothing renders: every template stays open, as before the run
  }
  return { engine, inputs, allInputs, name: pipeline.name };
}

type Estimate = { tokens?: number; costUsd?: number };
type EstimateFn = (w: unknown, ctx: { model?: string; root: string; options: Record<string, unknown> }) => Estimate;

function worstCase(pipeline: Pipeline, registry: Registry, known: PlanScope): PlanCost {
  const cost: PlanCost = { tasks: {}, tokens: 0, costUsd: 0, complete: true };
  const renderer = known.engine ? createRenderer(known.engine) : undefined;
  for (const spec of Object.values(pipeline.tasks)) {
    const entry = spec.join ? undefined : registry.executors.get(spec.uses);
    const estimate = entry?.executor.estimate as EstimateFn | undefined;
    if (!estimate) continue;
    const ctx = { ...(spec.model ? { model: spec.model } : {}), root: pipeline.root, options: pluginOptions(entry, pipeline.config) };
    const task = renderer ? taskCost(spec, estimate, ctx, renderer, known) : undefined;
    cost.tasks[spec.id] = task ?? asWritten(spec, estimate(spec.with, ctx));
    const t = cost.tasks[spec.id]!;
    if (t.costUsd === undefined || t.tokens === undefined) cost.complete = false;
    cost.tokens += t.tokens ?? 0;
    cost.costUsd += t.costUsd ?? 0;
  }
  cost.costUsd = Math.round(cost.costUsd * 1e6) / 1e6;
  return cost;
}

// Without rendering: `with` as written, the width only of a literal list.
function asWritten(spec: TaskSpec, perCall: Estimate): TaskCost {
  return withCalls(perCall, spec.matrix ? legsOf(spec.matrix) : callsOf(spec.forEach));
}

function withCalls(perCall: Estimate, calls: number | undefined): TaskCost {
  const task: TaskCost = { perCall };
  if (calls !== undefined) {
    task.calls = calls;
    if (perCall.tokens !== undefined) task.tokens = perCall.tokens * calls;
    if (perCall.costUsd !== undefined) task.costUsd = Math.round(perCall.costUsd * calls * 1e6) / 1e6;
  }
  return task;
}

/**
 * One task priced with what is known at plan time rendered. undefined when anything about it
 * fails (a helper throwing, an estimate throwing on a rendered value): the caller then prices
 * the task as written, as if nothing rendered.
 */
function taskCost(spec: TaskSpec, estimate: EstimateFn, ctx: Parameters<EstimateFn>[1], render: Renderer, known: PlanScope): TaskCost | undefined {
  try {
    const { base, readable } = planView(spec, known);
    const once = () => estimate(render(spec.with, base, readable(NONE)), ctx);
    if (!spec.forEach) return withCalls(once(), 1);
    const items = render(spec.forEach.items, base, readable(NONE));
    if (!Array.isArray(items)) return asWritten(spec, once());
    const instances = chunked(items, spec.forEach.chunk);
    // An item still holding a template is not known: strings reading it stay open.
    if (holdsTemplate(items)) return withCalls(once(), instances.length);
    if (instances.length === 0) return sumOf([], once());
    const renderItem = (item: unknown, index: number) => render(spec.with, { ...base, item, index }, readable(ITEM));
    return sumOf(estimateEach(instances, renderItem, (w) => estimate(w, ctx)), {});
  } catch {
    return undefined;
  }
}

type PlanView = { base: Record<string, unknown>; readable: (extra: Set<string>) => (path: string) => boolean };

// The scope a task's templates render in at plan time, and which paths it may read: pipeline.*,
// the inputs known (a pipeline template's tasks read the call's inputs, so those stay open),
// and `extra` roots (a forEach's item and index).
function planView(spec: TaskSpec, known: PlanScope): PlanView {
  const inputs = spec.scope ? undefined : known.inputs;
  const base: Record<string, unknown> = { pipeline: { name: known.name }, ...(inputs ? { inputs } : {}) };
  const readable = (extra: Set<string>) => (path: string): boolean => {
    const [root, name] = path.split('.');
    if (root === 'pipeline') return true;
    if (root === 'inputs') return inputs !== undefined && (name === undefined ? known.allInputs : Object.hasOwn(inputs, name!));
    return extra.has(root!);
  };
  return { base, readable };
}

// Each instance's estimate; instances whose rendered `with` is the same are estimated once.
function estimateEach(instances: unknown[], renderItem: (item: unknown, index: number) => unknown, estimate: (w: unknown) => Estimate): Estimate[] {
  const seen = new Map<string, Estimate>();
  return instances.map((item, index) => {
    const w = renderItem(item, index);
    const key = JSON.stringify(w) ?? '';
    let e = seen.get(key);
    if (!e) seen.set(key, (e = estimate(w)));
    return e;
  });
}

const NONE = new Set<string>();
const ITEM = new Set(['item', 'index']);

// The items' total; perCall is the largest single call. A field any item leaves out is unknown.
function sumOf(each: Estimate[], none: Estimate): TaskCost {
  if (each.length === 0) return { perCall: none, calls: 0, tokens: 0, costUsd: 0 };
  const task: TaskCost = { perCall: {}, calls: each.length };
  if (each.every((e) => e.tokens !== undefined)) {
    task.perCall.tokens = each.reduce((most, e) => Math.max(most, e.tokens!), 0);
    task.tokens = each.reduce((sum, e) => sum + e.tokens!, 0);
  }
  if (each.every((e) => e.costUsd !== undefined)) {
    task.perCall.costUsd = each.reduce((most, e) => Math.max(most, e.costUsd!), 0);
    task.costUsd = Math.round(each.reduce((sum, e) => sum + e.costUsd!, 0) * 1e6) / 1e6;
  }
  return task;
}

type Renderer = (value: unknown, scope: Record<string, unknown>, readable: (path: string) => boolean) => unknown;

// Renders every string whose paths are all readable; the others, and any that fail to render,
// stay templates. Each source is analysed once per plan (a fan-out renders it per item).
function createRenderer(engine: TemplateEngine): Renderer {
  const paths = new Map<string, string[] | undefined>();
  const pathsOf = (source: string) => {
    if (!paths.has(source)) {
      const analysis = analyzeTemplate(engine, source);
      paths.set(source, analysis.error ? undefined : analysis.paths);
    }
    return paths.get(source);
  };
  const render: Renderer = (value, scope, readable) => {
    if (typeof value === 'string') {
      if (!isTemplate(value)) return value;
      const read = pathsOf(value);
      if (!read || !read.every(readable)) return value;
      try {
        return renderString(engine, value, scope);
      } catch {
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v) => render(v, scope, readable));
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, scope, readable)]));
    }
    return value;
  };
  return render;
}

// A matrix of literal axes and lists has a known width: its legs.
function legsOf(matrix: NonNullable<TaskSpec['matrix']>): number | undefined {
  const literal = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);
  const { include = [], exclude = [] } = matrix;
  if (!Object.values(matrix.axes).every(Array.isArray) || !literal(include) || !literal(exclude)) return undefined;
  return expandMatrix({ axes: matrix.axes as Record<string, unknown[]>, include, exclude }).length;
}

// A forEach over a literal array has a known width (chunks counted); one over a template does not.
function callsOf(forEach: TaskSpec['forEach']): number | undefined {
  if (!forEach) return 1;
  if (!Array.isArray(forEach.items)) return undefined;
  const size = forEach.chunk && forEach.chunk > 1 ? forEach.chunk : 1;
  return Math.ceil(forEach.items.length / size);
}
