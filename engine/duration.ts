// Durations as users write them: `250ms`, `30s`, `5m`, `1h`, `1m30s`, or a number of milliseconds.
import { WeftError } from './errors.js';

/**
 * The longest duration weft accepts: 24 days. Node's timers hold at most 2^31-1 ms (24.8 days) and
 * fire at once above it, so `timeout: 1000h` killed its task immediately; 576h also leaves room for
 * the run's timeout backstop on top of it.
 */
export const MAX_DURATION_MS = 576 * 3_600_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** True when `value` has the form of a duration (its length is checked by `withinMaxDuration`). */
export function isDuration(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && DURATION.test(value.trim());
}

/** False for a number that is not finite or a duration longer than MAX_DURATION_MS; true for anything else (other checks judge its form). */
export function withinMaxDuration(value: unknown): boolean {
  // Infinity and NaN are reported once, by checkNumbers (every number in a file must be finite).
  if (typeof value === 'number') return !Number.isFinite(value) || value <= MAX_DURATION_MS;
  return !isDuration(value) || parseDuration(value as string) <= MAX_DURATION_MS;
}

/**
 * Milliseconds from a duration; throws BAD_DURATION for anything else (validation reports it first).
 * @example
 * parseDuration('1m30s'); // 90000
 * parseDuration(250);     // 250
 */
export function parseDuration(value: string | number): number {
  if (!isDuration(value)) {
    throw new WeftError('BAD_DURATION', `"${String(value)}" is not a duration; write e.g. 250ms, 30s, 5m, 1h or 1m30s`);
  }
  if (typeof value === 'number') return value;
  let total = 0;
  for (const [, amount, unit] of value.trim().matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
}
