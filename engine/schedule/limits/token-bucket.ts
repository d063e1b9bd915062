// A token bucket for pool rates (requests per second/minute/hour) and token budgets (llm
// tokens per minute). Refilled lazily from the clock passed in, so tests need no timers.
import { WeftError } from '../../errors.js';
import type { RatePer } from '../../types.js';

export type TokenBucketSpec = { limit: number; per: RatePer; burst?: number };

/** A bucket that is asked, never awaited: the caller decides what to do with a no. */
export interface TokenBucket {
  /** Bucket size: `burst`, else `limit`. */
  readonly capacity: number;
  /** True when `n` tokens could be taken at `now` (nothing is taken). */
  canTake(n?: number, now?: number): boolean;
  /** Takes `n` tokens if they are there at `now`. */
  tryTake(n?: number, now?: number): boolean;
  /** Milliseconds from `now` until `tryTake(n)` would succeed; 0 when it would now. */
  waitTimeMs(n?: number, now?: number): number;
}

const PER_MS: Record<RatePer, number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

// Refill is fractional; a timer set for the exact refill instant must find the token there.
const EPSILON = 1e-9;

/**
 * A bucket holding up to `burst ?? limit` tokens, refilled at `limit` per `per`, starting full.
 *
 * A take heavier than the whole bucket (an llm call whose maxTokens exceeds a small per-minute
 * budget) is allowed once the bucket is full and leaves it in debt: the refill pays the debt
 * back before anything else passes, so the average rate holds and nothing waits forever.
 *
 * @example
 * const bucket = createTokenBucket({ limit: 10, per: 'second' });
 * bucket.tryTake(10, 0); // true: starts full
 * bucket.tryTake(1, 0); // false
 * bucket.waitTimeMs(1, 0); // 100
 */
export function createTokenBucket(spec: TokenBucketSpec): TokenBucket {
  if (!(spec.limit > 0)) throw new WeftError('CONFIG_INVALID', `rate limit must be positive, got ${spec.limit}`);
  const capacity = spec.burst ?? spec.limit;
  if (!(capacity > 0)) throw new WeftError('CONFIG_INVALID', `rate burst must be positive, got ${capacity}`);
  const perMs = spec.limit / PER_MS[spec.per];
  let tokens = capacity;
  let last: number | undefined;

  const refill = (now: number): void => {
    if (last === undefined || now < last) {
      // First call, or a clock that stepped back: start counting from here, never refund.
      last = now;
      return;
    }
    tokens = Math.min(capacity, tokens + (now - last) * perMs);
    last = now;
  };
  const needed = (n: number): number => Math.min(n, capacity);

  return {
    capacity,
    canTake(n = 1, now = Date.now()) {
      refill(now);
      return tokens + EPSILON >= needed(n);
    },
    tryTake(n = 1, now = Date.now()) {
      refill(now);
      if (tokens + EPSILON < needed(n)) return false;
      tokens -= n;
      return true;
    },
    waitTimeMs(n = 1, now = Date.now()) {
      refill(now);
      const deficit = needed(n) - tokens;
      return deficit <= EPSILON ? 0 : Math.ceil(deficit / perMs);
    },
  };
}
