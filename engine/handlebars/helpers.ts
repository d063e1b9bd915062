import { WeftError } from '../errors.js';
import { kindOf } from '../input-values.js';
import { isTruthy } from '../truthy.js';
import { formatText } from './format.js';

/** A helper weft ships, with the number of arguments it takes (checked when compiling). */
export type BuiltinHelper = { min: number; max: number; fn: (...args: unknown[]) => unknown };


function fail(helper: string, message: string): never {
  // Types only, never values: a value may be a secret.
  throw new WeftError('TEMPLATE_ERROR', `helper ${helper}: ${message}`);
}

function len(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object') return Object.keys(value).length;
  return fail('len', `expects an array, string or object, got ${kindOf(value)}`);
}

function json(value: unknown, indent?: unknown): string {
  if (indent !== undefined && typeof indent !== 'number') fail('json', `indent must be a number, got ${kindOf(indent)}`);
  return JSON.stringify(value ?? null, null, indent) ?? 'null';
}

function join(items: unknown, separator: unknown = ', '): string {
  if (items === null || items === undefined) return '';
  if (!Array.isArray(items)) return fail('join', `expects an array, got ${kindOf(items)}`);
  return items.map(formatText).join(formatText(separator));
}

function includes(haystack: unknown, needle: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  if (Array.isArray(haystack)) return haystack.includes(needle);
  if (typeof haystack === 'string') return haystack.includes(formatText(needle));
  return fail('includes', `expects an array or a string, got ${kindOf(haystack)}`);
}

function firstNonEmpty(...values: unknown[]): unknown {
  for (const value of values) if (value !== null && value !== undefined && value !== '') return value;
  return values[values.length - 1];
}

// `at {{trim tasks.date.output.stdout}} on`: a command's output ends with a newline that breaks the line.
function trim(value: unknown): string {
  return formatText(value).trim();
}

const ANY = Number.POSITIVE_INFINITY;

/**
 * The helpers every template may call: `eq ne gt gte lt lte and or not len json default join includes trim`.
 * @example builtinHelpers.default.fn(null, 'x') // 'x'
 */
export const builtinHelpers: Record<string, BuiltinHelper> = {
  eq: { min: 2, max: 2, fn: (a, b) => a === b },
  ne: { min: 2, max: 2, fn: (a, b) => a !== b },
  gt: { min: 2, max: 2, fn: (a, b) => (a as number) > (b as number) },
  gte: { min: 2, max: 2, fn: (a, b) => (a as number) >= (b as number) },
  lt: { min: 2, max: 2, fn: (a, b) => (a as number) < (b as number) },
  lte: { min: 2, max: 2, fn: (a, b) => (a as number) <= (b as number) },
  and: { min: 1, max: ANY, fn: (...values) => values.every(isTruthy) },
  or: { min: 1, max: ANY, fn: (...values) => values.some(isTruthy) },
  not: { min: 1, max: 1, fn: (value) => !isTruthy(value) },
  len: { min: 1, max: 1, fn: len },
  json: { min: 1, max: 2, fn: json },
  default: { min: 2, max: ANY, fn: firstNonEmpty },
  join: { min: 1, max: 2, fn: join },
  includes: { min: 2, max: 2, fn: includes },
  trim: { min: 1, max: 1, fn: trim },
};
