// What a task may return: a value the report, the history and downstream templates can hold as
// JSON. Checked at the task boundary, so one bad output fails its task, not the whole report.
import type { ErrorData } from '../types.js';

/**
 * OUTPUT_INVALID when `output` cannot be written as JSON (a bigint, a cycle, a function or a
 * symbol anywhere in it), naming where; undefined when it can.
 * @example checkOutput({ n: 10n }) // { code: 'OUTPUT_INVALID', message: 'output.n is a bigint, which JSON cannot hold' }
 */
export function checkOutput(output: unknown): ErrorData | undefined {
  const problem = findProblem(output, 'output', new Set());
  return problem ? { code: 'OUTPUT_INVALID', message: problem } : undefined;
}

function findProblem(value: unknown, where: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'bigint':
    case 'function':
    case 'symbol':
      return `${where} is a ${typeof value}, which JSON cannot hold`;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  if (ancestors.has(value)) return `${where} refers back to itself (a cycle), which JSON cannot hold`;
  ancestors.add(value);
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
  for (const [key, child] of entries) {
    const problem = findProblem(child, where + key, ancestors);
    if (problem) return problem;
  }
  ancestors.delete(value);
  return undefined;
}
