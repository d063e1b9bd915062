import { WeftError } from '../errors.js';
import type { ShellSpot } from './shell-context.js';
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

/**
 * A value as text that means exactly the value at `spot` of a shell command: one quoted word
 * outside quotes; escaped for the author's own "…" or '…' (so `"{{v}}"` of an empty value is
 * `""`); escaped for a here-document body. Arrays are one word per item outside quotes, items
 * joined by spaces inside them.
 * @example formatShellAt('$(id)', { kind: 'double' }) // '\\$(id)'
 */
export function formatShellAt(value: unknown, spot: ShellSpot): string {
  if (spot.kind === 'word') return formatShell(value);
  const text = Array.isArray(value) ? value.map(formatText).join(' ') : formatText(value);
  switch (spot.kind) {
    case 'double':
      return escapeForDoubleQuotes(text);
    case 'single':
      return escapeForSingleQuotes(text);
    case 'comment':
      return '';
    case 'heredoc':
      checkHeredocValue(text, spot.delimiter, spot.stripTabs);
      return spot.literal ? text : escapeForHeredoc(text);
  }
}

/** Text inside "…": `\`, `"`, `$` and backtick escaped. @example escapeForDoubleQuotes('$x') // '\\$x' */
export function escapeForDoubleQuotes(text: string): string {
  return text.replace(/[\\"$`]/g, '\\$&');
}

/** Text inside '…', where nothing escapes: each ' closes the quotes, is quoted, and reopens them. */
export function escapeForSingleQuotes(text: string): string {
  return text.replaceAll("'", `'\\''`);
}

/** Text in the body of an unquoted here-document: `\`, `$` and backtick escaped; quotes are plain there. */
export function escapeForHeredoc(text: string): string {
  return text.replace(/[\\$`]/g, '\\$&');
}

// A line equal to the delimiter ends the here-document early and runs what follows as commands.
// A value without a line break can only complete such a line if it is a piece of the delimiter.
function checkHeredocValue(text: string, delimiter: string, stripTabs: boolean): void {
  const bare = stripTabs ? text.replace(/^\t+/, '') : text;
  if (/[\r\n]/.test(text) || (bare !== '' && delimiter.includes(bare)) || text.includes(delimiter)) {
    throw new WeftError('TEMPLATE_ERROR', `a value inserted into a here-document may not hold a line break or its delimiter ${delimiter}`);
  }
}
