// What a task may return: a value the report, the history and downstream templates can hold as
// JSON. Checked at the task boundary, so one bad output fails its task, not the whole report.
import type { ErrorData } from '../types.js';

/**
 * OUTPUT_INVALID when `output` cannot be written as JSON (a bigint, a cycle, a function or a
 * symbol anywhere in it), naming where; undefined when it can.
 * @example checkOutput({ n: 10n }) // { code: 'OUTPUT_INVALID', message: 'output.n is a bigint, which JSON cannot hold' }
 */
export function checkOutput(output: unknown): ErrorData | undefined {
  const found = findProblem(output, undefined);
  return found ? { code: 'OUTPUT_INVALID', message: `output${found.path.reverse().join('')} ${found.problem}` } : undefined;
}

/** What JSON cannot hold in `value`, with its path (innermost key first); paths are built only then. */
function findProblem(value: unknown, seen: Set<object> | undefined): { path: string[]; problem: string } | undefined {
  switch (typeof value) {
    case 'bigint':
    case 'function':
    case 'symbol':
      return { path: [], problem: `is a ${typeof value}, which JSON cannot hold` };
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  // Made at the first object: most outputs of a no-op or a shell task are not one.
  const ancestors = seen ?? new Set<object>();
  if (ancestors.has(value)) return { path: [], problem: 'refers back to itself (a cycle), which JSON cannot hold' };
  ancestors.add(value);
  let found: { path: string[]; problem: string } | undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !found; i++) if ((found = findProblem(value[i], ancestors))) found.path.push(`[${i}]`);
  } else {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if ((found = findProblem((value as Record<string, unknown>)[key], ancestors))) {
        found.path.push(`.${key}`);
        break;
      }
    }
  }
  ancestors.delete(value);
  return found;
}
