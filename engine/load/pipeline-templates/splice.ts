// Put a loaded template's tasks into the caller's graph under the call's id, plus a join task
// that stands for the call: `needs: [audit]` waits for all of it, `tasks.audit.output` is its outputs.
import type { CallGuard, Pipeline, TaskSpec, TemplateScope } from '../../types.js';

/**
 * The tasks that replace template call `call`: the template's tasks with ids `<call id>.<id>`,
 * then the join with the call's id. Tasks of the template that need nothing there wait for the
 * call's own `needs`; the join needs the template's top-level tasks (nested joins included), so
 * it ends after everything in it. `template` is already expanded (its own calls spliced).
 * What the call says besides `uses`/`with`/`needs` applies to every task of the expansion:
 * `if` (a guard, rendered in the caller's scope), `continueOnError`, `pool` (where a task has
 * none), `concurrency` (for the call's tasks together), `forEach`/`matrix` (each task fans out
 * over the same legs; a `once` task does not).
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
    file: template.file,
    with: call.with,
    inputs: template.inputs,
    env: template.env,
    tasks: locals,
  };
  if (call.scope) scope.parent = call.scope;
  if (call.forEach || call.matrix) scope.fanout = true;

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
  const callGuards: CallGuard[] = call.if === undefined ? [] : [call.scope ? { if: call.if, scope: call.scope } : { if: call.if }];

  const tasks: TaskSpec[] = [];
  for (const spec of Object.values(template.tasks)) {
    const needs = spec.needs.map((id) => `${ns}.${id}`);
    const out: TaskSpec = {
      ...spec,
      id: `${ns}.${spec.id}`,
      // Nothing to wait for inside the template (nested calls' tasks included): wait for the call's needs.
      needs: needs.length ? needs : [...call.needs],
      env: { ...template.env, ...spec.env },
      scope: spec.scope ? move(spec.scope) : scope,
    };
    if (spec.once) out.onceKey = spec.onceKey ?? `${template.file}#${spec.id}`;
    if (spec.group) out.group = `${ns}.${spec.group}`;
    applyCall(out, spec, call, callGuards, (inner) => (inner ? move(inner) : scope));
    tasks.push(out);
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

/** What the call's own keys do to one task of its expansion. */
function applyCall(out: TaskSpec, spec: TaskSpec, call: TaskSpec, callGuards: CallGuard[], moveScope: (s?: TemplateScope) => TemplateScope): void {
  const inner = (spec.guards ?? []).map((g) => ({ ...g, scope: moveScope(g.scope) }));
  // A `once` task of a fanned-out call belongs to no leg: a per-leg `if` cannot decide for it.
  const outer = spec.once && (call.forEach || call.matrix) ? [] : callGuards;
  if (outer.length || inner.length) out.guards = [...outer, ...inner];
  if (call.continueOnError) out.continueOnError = true;
  if (call.continueOnErrorIf !== undefined && out.continueOnErrorIf === undefined && !out.continueOnError) out.continueOnErrorIf = call.continueOnErrorIf;
  if (call.pool !== undefined && out.pool === undefined && out.templated?.pool === undefined) out.pool = call.pool;
  if (call.concurrency !== undefined) {
    out.group = call.id;
    out.concurrency = call.concurrency;
  }
  if (out.once) return;
  if (call.forEach) out.forEach = call.forEach;
  if (call.matrix) out.matrix = call.matrix;
  if (call.forEach || call.matrix) out.loopScope = call.scope ? { scope: call.scope } : {};
}
