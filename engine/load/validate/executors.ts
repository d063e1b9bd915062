// Each task names an executor that exists, and its `with` matches that executor's schema.
import type { Registry } from '../registry.js';
import { didYouMean } from '../../suggest.js';
import { isTemplateUse } from '../pipeline-templates/reference.js';
import type { PathSegment } from '../yaml.js';
import { label, type Reporter } from './report.js';
import { compileSchema, reportSchemaErrors } from './schema.js';
import { isRecord, type RawTask } from './shape.js';

/** The `with` field a `run:` string fills: the executor's first shell field, else `command`. */
export function runField(registry: Registry, uses = 'shell'): string {
  return registry.executors.get(uses)?.executor.shellFields?.[0] ?? 'command';
}

/**
 * PIPELINE_INVALID for a task with neither or a conflicting `uses`/`run`, UNKNOWN_EXECUTOR with a
 * did-you-mean, and `with` checked against the executor's JSON Schema (errors inside `with`).
 */
export function checkExecutors(tasks: Record<string, RawTask>, registry: Registry, reporter: Reporter): void {
  const names = [...registry.executors.keys()];
  for (const [id, task] of Object.entries(tasks)) {
    const at = ['tasks', id];
    const hasRun = Object.hasOwn(task, 'run');
    if (!hasRun && !Object.hasOwn(task, 'uses')) {
      reporter.add('PIPELINE_INVALID', at, `${label(at)}: needs "uses" (an executor) or "run" (a shell command)`, { target: 'key' });
      continue;
    }
    if (hasRun && Object.hasOwn(task, 'uses') && task.uses !== 'shell') {
      reporter.add('PIPELINE_INVALID', [...at, 'run'], `${label(at)}: "run" is shorthand for uses: shell; it cannot go with uses: ${String(task.uses)}`, { target: 'key' });
      continue;
    }
    const uses = typeof task.uses === 'string' ? task.uses : hasRun ? 'shell' : undefined;
    // A pipeline template: its file, its `with` and its tasks are checked when it is expanded (engine/templates).
    if (uses === undefined || isTemplateUse(uses)) continue;
    const entry = registry.executors.get(uses);
    if (!entry) {
      const path = hasRun && !Object.hasOwn(task, 'uses') ? [...at, 'run'] : [...at, 'uses'];
      reporter.add('UNKNOWN_EXECUTOR', path, `${label(at)}: no executor "${uses}"${didYouMean(uses, names)}`);
      continue;
    }
    checkWith(id, task, uses, hasRun, registry, reporter);
  }
}

function checkWith(id: string, task: RawTask, uses: string, hasRun: boolean, registry: Registry, reporter: Reporter): void {
  const own = isRecord(task.with) ? task.with : Object.hasOwn(task, 'with') ? undefined : {};
  // Not a map, or a run: that is not a string: the pipeline schema has said so already.
  if (own === undefined || (hasRun && typeof task.run !== 'string')) return;
  const field = runField(registry, uses);
  const withValues = hasRun ? { ...own, [field]: task.run } : own;
  const validate = compileSchema(registry.executors.get(uses)!.executor.schema);
  const at: PathSegment[] = ['tasks', id];
  if (validate instanceof Error) {
    reporter.add('PLUGIN_INVALID', [...at, 'uses'], `${label(at)}: executor "${uses}" has a schema ajv cannot compile: ${validate.message}`);
    return;
  }
  if (validate(withValues)) return;
  reportSchemaErrors(validate.errors ?? [], reporter, {
    root: withValues,
    base: [...at, 'with'],
    templated: true,
    // The run: string stands in for with.<field>: point there for errors about it.
    place: (inner) => (hasRun && inner[0] === field && !Object.hasOwn(own, field) ? [...at, 'run', ...inner.slice(1)] : [...at, 'with', ...inner]),
  });
}
