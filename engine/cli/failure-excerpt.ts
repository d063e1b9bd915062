// What of a failed attempt's output the terminal shows: its last lines, and before them the few
// earlier lines that name a failure. A TAP runner prints `not ok 3 - slug` and then a long
// diagnostic and a footer; the last lines alone would show only `# fail 1`.

import { safeLine } from './safe-text.js';

/** Lines from the end shown for each failed attempt. */
export const TAIL_LINES = 20;
/** Earlier lines that look like a failure, shown above the tail. */
const MARKED_LINES = 5;
// ✗ and ✖ as escapes: the CLI bundle is pure ASCII (read as one-byte text at every start).
const FAILURE_MARK = /^\s*not ok\b|\b(error|errors|fail|failed|failure|failing|panic|exception|assert\w*)\b|\u2717|\u2716/i;

/**
 * The lines of `text` worth showing: all of it when short, else the tail with the earlier lines
 * that name a failure above it, and `…` lines saying how many were left out.
 * @example excerptLines('not ok 3 - slug\n' + 'x\n'.repeat(30)) // ['not ok 3 - slug', '… 10 lines', 'x', …]
 */
export function excerptLines(text: string, tail = TAIL_LINES): string[] {
  const lines = text.replace(/\n$/, '').split('\n').map(safeLine);
  if (text === '') return [];
  if (lines.length <= tail) return lines;
  const start = lines.length - tail;
  const marked: number[] = [];
  for (let i = start - 1; i >= 0 && marked.length < MARKED_LINES; i--) if (FAILURE_MARK.test(lines[i]!)) marked.unshift(i);
  const out: string[] = [];
  let next = 0;
  for (const i of marked) {
    if (i > next) out.push(`… ${i - next} line${i - next === 1 ? '' : 's'}`);
    out.push(lines[i]!);
    next = i + 1;
  }
  if (start > next) out.push(`… ${start - next} line${start - next === 1 ? '' : 's'}`);
  out.push(...lines.slice(start));
  return out;
}
