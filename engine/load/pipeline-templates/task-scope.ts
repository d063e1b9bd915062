// Run time: the template scope each task renders in. A task from a pipeline template sees the
// call's `with` as `inputs`, its template's `env`, and its siblings under their local ids.
import type { TemplateEngine } from '../../handlebars/render.js';
import { renderValue } from '../../handlebars/render.js';
import type { BaseScope, TaskView } from '../../run/scope.js';
import type { TaskSpec, TemplateScope } from '../../types.js';
import { applyInputs } from './inputs.js';

/** Gives each task the scope its templates render in. */
export type ScopeResolver = (spec: Pick<TaskSpec, 'scope'>) => Record<string, unknown>;

/**
 * A resolver over the run's base scope. `base.tasks` is read live, so a view shows the tasks
 * finished so far. A call's inputs are rendered once, when its first task needs them (its
 * needs have ended by then), and an error there fails each of its tasks with that error.
 * @example
 * const scopeOf = createScopeResolver(scope, engine);
 * renderValue(engine, spec.with, scopeOf(spec)); // `{{inputs.dir}}` is the call's with.dir
 */
export function createScopeResolver(base: BaseScope, engine: TemplateEngine): ScopeResolver {
  const inputs = new Map<string, { value: Record<string, unknown> } | { error: unknown }>();

  function inputsOf(scope: TemplateScope): Record<string, unknown> {
    let cached = inputs.get(scope.namespace);
    if (!cached) {
      try {
        const given = renderValue(engine, scope.with, viewOf(scope.parent), { where: `task ${scope.namespace} with` }) as Record<string, unknown>;
        cached = { value: applyInputs(scope.inputs, given, scope.template) };
      } catch (error) {
        cached = { error };
      }
      inputs.set(scope.namespace, cached);
    }
    if ('error' in cached) throw cached.error;
    return cached.value;
  }

  function tasksOf(scope: TemplateScope): Record<string, TaskView> {
    const view: Record<string, TaskView> = {};
    for (const local of scope.tasks) {
      const task = base.tasks[`${scope.namespace}.${local}`];
      if (task) view[local] = task;
    }
    return view;
  }

  function viewOf(scope: TemplateScope | undefined): Record<string, unknown> {
    if (!scope) return base as unknown as Record<string, unknown>;
    return { ...base, inputs: inputsOf(scope), env: { ...envOf(scope.parent), ...scope.env }, tasks: tasksOf(scope) };
  }

  function envOf(scope: TemplateScope | undefined): Record<string, string> {
    return scope ? { ...envOf(scope.parent), ...scope.env } : base.env;
  }

  return (spec) => viewOf(spec.scope);
}
