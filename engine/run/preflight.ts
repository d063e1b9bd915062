// What a run checks before any task starts, and the settings every executor call carries.
import { WeftError, type WeftErrorCode } from '../errors.js';
import type { ExecutorEntry } from '../executor.js';
import type { Pipeline, RunOptions } from '../types.js';
import { pluginOptions } from '../load/settings.js';
import type { TaskState } from './state.js';

/** Settings every executor may read (API endpoint, model table); per-task switches are added per task. */
export function executorOptionsBase(options: Pick<RunOptions, 'noCache'>): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (options.noCache) base['cache'] = false;
  return base;
}

/**
 * Executors' preflight hooks, each called once with every task that uses it: a missing API key
 * is a WeftError before the run (exit 2), not a failed task halfway through.
 * @example await preflight(pipeline, tasks, process.env, executorOptionsBase({}))
 */
export async function preflight(
  pipeline: Pipeline,
  tasks: Map<string, TaskState>,
  env: Record<string, string | undefined>,
  execOptions: Record<string, unknown>,
): Promise<void> {
  type Item = { id: string; with: Record<string, unknown>; model?: string };
  const byExecutor = new Map<ExecutorEntry, Item[]>();
  for (const { spec, entry } of tasks.values()) {
    if (!entry.executor.preflight) continue;
    const item: Item = { id: spec.id, with: spec.with };
    if (spec.model) item.model = spec.model;
    const list = byExecutor.get(entry);
    if (list) list.push(item);
    else byExecutor.set(entry, [item]);
  }
  const problems: Array<{ code: WeftErrorCode; message: string }> = [];
  for (const [entry, list] of byExecutor) {
    problems.push(...(await entry.executor.preflight!(list, env, { ...pluginOptions(entry, pipeline.config), ...execOptions, root: pipeline.root })));
  }
  if (problems.length) throw new WeftError(problems[0]!.code, problems.map((p) => p.message).join('; '));
}
