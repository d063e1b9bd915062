// The checks a schema cannot express for loops and services: one loop per task, `exclude` names
// axes, a service is one long-running process.
import { label, type Reporter } from './report.js';
import { isRecord, type RawTask } from './shape.js';
import { didYouMean } from '../../suggest.js';

/**
 * PIPELINE_INVALID for a task with both `forEach` and `matrix`, an `exclude` entry naming a key
 * that is not an axis (it could never match), and a `service` that fans out or is `when:`
 * anything but success.
 */
export function checkLoops(tasks: Record<string, RawTask>, reporter: Reporter): void {
  for (const [id, task] of Object.entries(tasks)) {
    const at = ['tasks', id];
    if (task.forEach !== undefined && task.matrix !== undefined) {
      reporter.add('PIPELINE_INVALID', [...at, 'matrix'], `${label(at)}: has both forEach and matrix; a task loops one way`, { target: 'key' });
    }
    if (isRecord(task.matrix)) checkExclude(task.matrix, [...at, 'matrix'], reporter);
    if (task.service !== undefined) {
      if (task.forEach !== undefined || task.matrix !== undefined) {
        reporter.add('PIPELINE_INVALID', [...at, 'service'], `${label(at)}: a service is one process; it cannot have forEach or matrix`, { target: 'key' });
      }
      if (task.when !== undefined && task.when !== 'success') {
        reporter.add('PIPELINE_INVALID', [...at, 'when'], `${label(at)}: a service starts when its needs succeed; when: ${String(task.when)} does not apply`);
      }
    }
  }
}

function checkExclude(matrix: Record<string, unknown>, at: (string | number)[], reporter: Reporter): void {
  if (!Array.isArray(matrix.exclude)) return;
  const axes = Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude');
  matrix.exclude.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    for (const key of Object.keys(entry)) {
      if (axes.includes(key)) continue;
      const path = [...at, 'exclude', i, key];
      reporter.add('PIPELINE_INVALID', path, `${label(path)}: "${key}" is not an axis of the matrix (axes: ${axes.join(', ') || 'none'})${didYouMean(key, axes)}`, { target: 'key' });
    }
  });
}
