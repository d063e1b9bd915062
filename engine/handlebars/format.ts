import { shellQuote } from './shell-quote.js';

/**
 * How a value reads inside a string. Objects and arrays become JSON, because
 * `[object Object]` or `a,b` in a command or a prompt is always a bug.
 * @example formatText(null) // ''
 * @example formatText({ a: 1 }) // '{"a":1}'
 */
export function formatText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * How a value reads inside a shell command: one quoted word, or one word per array element.
 * null quotes to `''` so a missing argument still takes its place in argv.
 * @example formatShell(['a b', 'c']) // "'a b' c"
 */
export function formatShell(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => shellQuote(formatText(item))).join(' ');
  return shellQuote(formatText(value));
}
