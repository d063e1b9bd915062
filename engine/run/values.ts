// Small value rules of a run: executor signals, env values, run ids.
import { randomBytes } from 'node:crypto';
import { SIGNALS_KEY, type ExecutorSignals } from '../executor.js';

/** `2026-11-28T07-00-00-abc123`: sortable, file-name safe, unique enough per project. */
export function newRunId(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/** An executor's output without the signals it attached under SIGNALS_KEY, and those signals. */
export function splitSignals(output: unknown): { output: unknown; signals?: ExecutorSignals } {
  if (typeof output !== 'object' || output === null || !(SIGNALS_KEY in output)) return { output };
  const { [SIGNALS_KEY]: signals, ...rest } = output as Record<string, unknown>;
  return { output: rest, signals: signals as ExecutorSignals };
}

/**
 * Rendered `env:` values as the environment holds them: text as it is, numbers and booleans
 * as written, null as empty, objects and arrays as JSON (never `[object Object]`).
 * @example envValues({ N: 3, OBJ: { a: 1 } }) // { N: '3', OBJ: '{"a":1}' }
 */
export function envValues(rendered: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((rendered ?? {}) as Record<string, unknown>)) {
    out[name] = typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}
