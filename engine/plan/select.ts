// Targets: `weft run PIPELINE TASK...` runs the named tasks and everything they need, nothing else.
// A pure function of the loaded pipeline, shared by run, plan, graph and --dry-run.
import { WeftError } from '../errors.js';
import { suggest } from '../suggest.js';
import type { Pipeline, Problem } from '../types.js';

/**
 * The part of `pipeline` that `targets` need: each target (a task id, a template call such as
 * `audit`, or a task inside one such as `audit.security`) and, transitively, its needs, in
 * declaration order. No targets means the pipeline's `default:` targets, or every task. A partial
 * selection reports no pipeline `outputs` (they may read tasks that do not run).
 * Names that match nothing, or name an internal task, are one USAGE error (exit 2) listing each,
 * with a did-you-mean.
 * @example Object.keys(selectTargets(pipeline, ['link']).tasks) // ['compile', 'link']
 */
export function selectTargets(pipeline: Pipeline, targets: readonly string[] = []): Pipeline {
  const named = targets.length > 0 ? targets : (pipeline.targets ?? []);
  if (named.length === 0) return pipeline;
  checkNames(pipeline, named);

  const selected = new Set<string>();
  const stack = [...named];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (selected.has(id)) continue;
    selected.add(id);
    stack.push(...pipeline.tasks[id]!.needs);
  }
  if (selected.size === Object.keys(pipeline.tasks).length) return pipeline;
  const tasks: Pipeline['tasks'] = {};
  for (const [id, spec] of Object.entries(pipeline.tasks)) if (selected.has(id)) tasks[id] = spec;
  return { ...pipeline, tasks, outputs: {} };
}

function checkNames(pipeline: Pipeline, names: readonly string[]): void {
  const visible = Object.values(pipeline.tasks).filter((t) => !t.internal).map((t) => t.id);
  const problems: Problem[] = [];
  for (const name of new Set(names)) {
    const spec = Object.hasOwn(pipeline.tasks, name) ? pipeline.tasks[name] : undefined;
    let message: string | undefined;
    if (!spec) {
      const hint = suggest(name, visible);
      message = `no task "${name}" in pipeline ${pipeline.name}${hint ? ` (did you mean "${hint}"?)` : ''}`;
    } else if (spec.internal) {
      message = `task "${name}" is internal (a helper of pipeline ${pipeline.name}), not a target`;
    }
    if (message) problems.push({ file: '', line: 0, col: 0, code: 'USAGE', message });
  }
  if (problems.length > 0) throw new WeftError('USAGE', problems[0]!.message, { problems });
}
