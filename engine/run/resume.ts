// Resuming a run: which instances of the new run may end with the previous run's output
// instead of running again. Pure functions over the previous (masked) report.
import type { RunReport, TaskResult } from '../types.js';

/**
 * The result that ends instance `id` without running it, when `previous` holds a success for it;
 * `count` is the new forEach's instance count, which must match the previous run's, since an
 * index means another item once the list has grown or shrunk.
 * @example
 * resumedResult(previous, 'build', undefined, Date.now())
 * // { status: 'success', attempts: 0, resumed: true, output: …, startedAt: now, endedAt: now, durationMs: 0 }
 */
export function resumedResult(previous: RunReport, id: string, count: number | undefined, now: number): TaskResult | undefined {
  const result = Object.hasOwn(previous.tasks, id) ? previous.tasks[id] : undefined;
  if (result?.status !== 'success' && result?.status !== 'up-to-date') return undefined;
  if (count !== undefined) {
    const base = id.slice(0, id.lastIndexOf('['));
    if (instanceCount(previous, base) !== count) return undefined;
  }
  return { status: 'success', attempts: 0, startedAt: now, endedAt: now, durationMs: 0, output: result.output, resumed: true };
}

/** How many forEach instances (`task[0]`, `task[1]`, …) of `task` a report holds. */
function instanceCount(report: RunReport, task: string): number {
  const prefix = `${task}[`;
  return Object.keys(report.tasks).filter((id) => id.startsWith(prefix) && /^\[\d+\]$/.test(id.slice(task.length))).length;
}
