// Small value rules of a run: truthiness of `if`, forEach chunks, executor signals, run ids.
import { randomBytes } from 'node:crypto';
import { SIGNALS_KEY, type ExecutorSignals } from '../executor.js';

/** `2026-11-28T07-00-00-abc123`: sortable, file-name safe, unique enough per project. */
export function newRunId(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Whether an `if:` result lets the task run. Strings are read as a shell user would: '', 'false',
 * '0', 'null' and 'undefined' are false; an empty array is false.
 * @example isTruthy('false') // false
 */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    return s !== '' && s !== 'false' && s !== '0' && s !== 'null' && s !== 'undefined';
  }
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** `forEach: { chunk: n }`: items grouped n at a time. */
export function chunked(items: unknown[], size?: number): unknown[] {
  if (!size || size <= 1) return items;
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An executor's output without the signals it attached under SIGNALS_KEY, and those signals. */
export function splitSignals(output: unknown): { output: unknown; signals?: ExecutorSignals } {
  if (typeof output !== 'object' || output === null || !(SIGNALS_KEY in output)) return { output };
  const { [SIGNALS_KEY]: signals, ...rest } = output as Record<string, unknown>;
  return { output: rest, signals: signals as ExecutorSignals };
}
