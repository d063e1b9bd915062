// Put a loaded template's tasks into the caller's graph under the call's id, plus a join task
// that stands for the call: `needs: [audit]` waits for all of it, `tasks.audit.output` is its outputs.
import type { Pipeline, TaskSpec, TemplateScope } from '../../types.js';

/**
 * The tasks that replace template call `call`: the template's tasks with ids `<call id>.<id>`,
 * then the join with the call's id. Tasks of the template that need nothing there wait for the
 * call's own `needs`; the join needs the template's top-level tasks (nested joins included), so
 * it ends after everything in it. `template` is already expanded (its own calls spliced).
 * @example
 * // call: { id: 'audit', needs: ['build'], uses: 'template:audit', … }
 * spliceTemplate(call, auditPipeline).map((t) => t.id)
 * // ['audit.security', …, 'audit.navigation', 'audit']; audit.security needs build
 */
export function spliceTemplate(call: TaskSpec, template: Pipeline): TaskSpec[] {
  const ns = call.id;
  const locals = Object.keys(template.tasks).filter((id) => !id.includes('.'));
  const scope: TemplateScope = {
    namespace: ns,
    template: template.name,
    with: call.with,
    inputs: template.inputs,
    env: template.env,
    tasks: locals,
  };
  if (call.scope) scope.parent = call.scope;

  // Scopes of nested calls move under this one; memoized so their tasks keep sharing one object.
  const moved = new Map<TemplateScope, TemplateScope>();
  const move = (inner: TemplateScope): TemplateScope => {
    let out = moved.get(inner);
    if (!out) {
      out = { ...inner, namespace: `${ns}.${inner.namespace}`, parent: inner.parent ? move(inner.parent) : scope };
      moved.set(inner, out);
    }
    return out;
  };

  const tasks: TaskSpec[] = [];
  for (const spec of Object.values(template.tasks)) {
    const needs = spec.needs.map((id) => `${ns}.${id}`);
    tasks.push({
      ...spec,
      id: `${ns}.${spec.id}`,
      // Nothing to wait for inside the template (nested calls' tasks included): wait for the call's needs.
      needs: needs.length ? needs : [...call.needs],
      env: { ...template.env, ...spec.env },
      scope: spec.scope ? move(spec.scope) : scope,
    });
  }
  const join: TaskSpec = {
    id: ns,
    uses: call.uses,
    with: template.outputs,
    needs: locals.length ? locals.map((id) => `${ns}.${id}`) : [...call.needs],
    when: 'always',
    locks: [],
    retry: call.retry,
    continueOnError: call.continueOnError,
    tags: call.tags,
    env: {},
    scope,
    join: true,
  };
  if (call.pos) join.pos = call.pos;
  tasks.push(join);
  return tasks;
}
