// Run time: the template scope each task renders in. A task from a pipeline template sees the
// call's `with` as `inputs`, its template's `env`, and its siblings under their local ids.
import type { TemplateEngine } from '../handlebars/render.js';
import { renderValue } from '../handlebars/render.js';
import type { BaseScope, Leg, TaskSpec, TaskView, TemplateScope } from '../types.js';
import { applyInputs } from '../input-values.js';

/**
 * Gives each task the scope its templates render in; `at` gives a template call's own scope
 * (undefined: the pipeline's), where a call's `if` and loop render.
 */
export type ScopeResolver = ((spec: Pick<TaskSpec, 'scope'>, leg?: Leg) => Record<string, unknown>) & {
  at(scope: TemplateScope | undefined, leg?: Leg): Record<string, unknown>;
};

/**
 * A resolver over the run's base scope. `base.tasks` is read live, so a view shows the tasks
 * finished so far. A call's inputs are rendered once, when its first task needs them (its
 * needs have ended by then), and an error there fails each of its tasks with that error. A call
 * with forEach/matrix renders its inputs once per leg, with that leg's `item`, and its tasks
 * read their siblings' output of the same leg.
 * @example
 * const scopeOf = createScopeResolver(scope, engine);
 * renderValue(engine, spec.with, scopeOf(spec)); // `{{inputs.dir}}` is the call's with.dir
 */
export function createScopeResolver(base: BaseScope, engine: TemplateEngine): ScopeResolver {
  const inputs = new Map<string, { value: Record<string, unknown> } | { error: unknown }>();

  function inputsOf(scope: TemplateScope, leg: Leg | undefined): Record<string, unknown> {
    const key = leg && scope.fanout ? `${scope.namespace}[${leg.index}]` : scope.namespace;
    let cached = inputs.get(key);
    if (!cached) {
      try {
        const at = viewOf(scope.parent, leg);
        const from = leg && scope.fanout ? withLeg(at, leg) : at;
        const given = renderValue(engine, scope.with, from, { where: `task ${scope.namespace} with` }) as Record<string, unknown>;
        cached = { value: applyInputs(scope.inputs, given, scope.template) };
      } catch (error) {
        cached = { error };
      }
      inputs.set(key, cached);
    }
    if ('error' in cached) throw cached.error;
    return cached.value;
  }

  function tasksOf(scope: TemplateScope, leg: Leg | undefined): Record<string, TaskView> {
    const view: Record<string, TaskView> = {};
    for (const local of scope.tasks) {
      const task = base.tasks[scope.ids?.[local] ?? `${scope.namespace}.${local}`];
      if (!task) continue;
      // A fanned-out call's task reads its sibling's output of its own leg.
      view[local] = leg && scope.fanout && task.outputs ? legView(task, leg.index) : task;
    }
    return view;
  }

  function viewOf(scope: TemplateScope | undefined, leg: Leg | undefined): Record<string, unknown> {
    if (!scope) return base as unknown as Record<string, unknown>;
    const view: Record<string, unknown> = { ...base, env: envOf(scope), tasks: tasksOf(scope, leg) };
    if (!scope.fanout || leg) return { ...view, inputs: inputsOf(scope, leg) };
    // A `once` task of a fanned-out call has no leg to render a `with` that reads one: its
    // inputs render when first read, and it needs none unless it reads them.
    Object.defineProperty(view, 'inputs', { get: () => inputsOf(scope, leg), enumerable: true });
    return view;
  }

  function envOf(scope: TemplateScope | undefined): Record<string, string> {
    return scope ? { ...envOf(scope.parent), ...scope.env } : base.env;
  }

  const resolve = ((spec: Pick<TaskSpec, 'scope'>, leg?: Leg) => viewOf(spec.scope, leg)) as ScopeResolver;
  resolve.at = (scope, leg) => (leg ? withLeg(viewOf(scope, leg), leg) : viewOf(scope, undefined));
  return resolve;
}

function withLeg(view: Record<string, unknown>, leg: Leg): Record<string, unknown> {
  return leg.matrix ? { ...view, item: leg.item, index: leg.index, matrix: leg.matrix } : { ...view, item: leg.item, index: leg.index };
}

function legView(task: TaskView, index: number): TaskView {
  const output = task.outputs?.[index] ?? null;
  const error = task.errors?.[index] ?? null;
  return { status: error ? 'failed' : output === null ? 'skipped' : 'success', output, outputs: task.outputs!, errors: task.errors ?? [] };
}
