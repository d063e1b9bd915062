import { label, type Reporter } from './report.js';
import type { PathSegment } from '../yaml.js';

/**
 * Every number in the file is finite: YAML's `.inf`, `.nan` and `1e400` (Infinity) parse as
 * numbers, and a JSON Schema `type: number` accepts them. Each is a problem at its place; the
 * other checks still run, so nothing else is hidden.
 * @example checkNumbers({ tasks: { a: { timeout: Infinity } } }, reporter) // tasks.a.timeout: .inf is not a finite number
 */
export function checkNumbers(value: unknown, reporter: Reporter, at: PathSegment[] = []): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) reporter.add('PIPELINE_INVALID', at, `${label(at)}: ${String(value)} is not a finite number`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkNumbers(item, reporter, [...at, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkNumbers(item, reporter, [...at, key]);
  }
}
