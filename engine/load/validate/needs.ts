// needs: every id exists, and following them never comes back to where it started.
import { buildGraph, findCycles } from '../../plan/graph.js';
import { didYouMean } from '../../suggest.js';
import { label, type Reporter } from './report.js';
import { needsOf, type RawTask } from './shape.js';

/** UNKNOWN_NEED for ids that name no task, GRAPH_CYCLE (as a path) for every loop of needs. */
export function checkNeeds(tasks: Record<string, RawTask>, reporter: Reporter): void {
  const ids = Object.keys(tasks);
  const needs: Record<string, { needs: string[] }> = {};
  for (const [id, task] of Object.entries(tasks)) {
    needs[id] = { needs: needsOf(task) };
    if (!Array.isArray(task.needs)) continue;
    task.needs.forEach((need, i) => {
      if (typeof need !== 'string' || Object.hasOwn(tasks, need)) return;
      const path = ['tasks', id, 'needs', i];
      reporter.add('UNKNOWN_NEED', path, `${label(path)}: no task "${need}"${didYouMean(need, ids)}`);
    });
  }
  for (const cycle of findCycles(buildGraph(needs))) {
    const [first, second] = cycle as [string, string];
    const path = ['tasks', first, 'needs', (tasks[first]!.needs as unknown[]).indexOf(second)];
    reporter.add('GRAPH_CYCLE', path, `tasks.${first}: needs form a cycle: ${cycle.join(' -> ')}`);
  }
}
