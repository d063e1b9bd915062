// Retry is decided by the error, not by the caller: these are pure functions of the policy,
// the attempt number and the error as data, so run code and tests agree on every delay.
import type { ErrorData, RetryPolicy } from '../types.js';
import { MAX_DURATION_MS } from '../duration.js';

/**
 * The wait before the next attempt, after attempt number `attempt` (1 = the first try) failed.
 *
 * - `fixed`: `delayMs` every time.
 * - `linear`: `delayMs * attempt`.
 * - `exponential`: `delayMs * factor^(attempt - 1)`.
 *
 * The result is capped by `maxDelayMs` (use `Infinity` for no cap). With `jitter`, the delay is
 * "equal jitter": uniform in [d/2, d]. Unlike full jitter ([0, d]) it never retries at once,
 * which would hammer the overloaded service that made the attempt fail, yet still spreads a
 * herd of retries across half the window.
 *
 * @example
 * const policy = { attempts: 4, delayMs: 500, backoff: 'exponential', factor: 2, maxDelayMs: 10_000, jitter: false };
 * backoffDelay(policy, 1); // 500
 * backoffDelay(policy, 3); // 2000
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.max(0, policy.delayMs);
  let delay: number;
  switch (policy.backoff) {
    case 'fixed':
      delay = base;
      break;
    case 'linear':
      delay = base * n;
      break;
    case 'exponential':
      delay = base * Math.pow(policy.factor, n - 1);
      break;
  }
  // A huge attempt count overflows to Infinity; the cap brings it back, NaN never escapes.
  delay = Math.min(Number.isNaN(delay) ? base : delay, policy.maxDelayMs);
  if (!policy.jitter) return delay;
  return delay / 2 + random() * (delay / 2);
}

/**
 * Whether attempt number `attempt` (1 = the first try), which failed with `error`, gets another
 * try: only errors the executor marked `retryable`, and only while attempts remain
 * (`policy.attempts` counts the first try).
 * @example
 * shouldRetry({ code: 'RATE_LIMITED', message: '429', retryable: true }, 1, { ...policy, attempts: 3 }); // true
 * shouldRetry({ code: 'HTTP_ERROR', message: '400' }, 1, { ...policy, attempts: 3 }); // false
 */
export function shouldRetry(error: ErrorData, attempt: number, policy: RetryPolicy): boolean {
  if (error.code === 'WORKER_LOST') return attempt < policy.attempts + LOST_WORKER_RETRIES;
  return error.retryable === true && attempt < policy.attempts;
}

/**
 * Extra attempts for a task whose worker died under it (WORKER_LOST, engine/pool/queue.ts),
 * whatever its retry policy: the task did nothing wrong, its machine did.
 */
export const LOST_WORKER_RETRIES = 3;

/**
 * The wait before retrying after `error`: the backoff, or longer when the server asked for a
 * wait (`retryAfterMs`, from a retry-after header). The server's wait is honoured even above
 * `maxDelayMs`: retrying earlier would only earn another 429. Either is cut to MAX_DURATION_MS (576h).
 * @example
 * nextDelay({ code: 'RATE_LIMITED', message: '429', retryable: true, retryAfterMs: 30_000 }, 1, policy); // 30000
 */
export function nextDelay(
  error: ErrorData,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  // Another worker runs it: nothing to wait for.
  if (error.code === 'WORKER_LOST') return 0;
  const backoff = backoffDelay(policy, attempt, random);
  const asked = error.retryAfterMs;
  const delay = typeof asked === 'number' && asked > backoff ? asked : backoff;
  // A timer above 2^31-1 ms fires at once: `retry-after: 99999999` retried immediately.
  return Math.min(delay, MAX_DURATION_MS);
}
