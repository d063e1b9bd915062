// AIMD concurrency for pools that call rate-limited APIs: back off hard when the server says
// it is overloaded, creep back up while it is not, like TCP congestion avoidance.
import { WeftError } from '../../errors.js';

export type AdaptiveOptions = {
  /** The ceiling and the starting point: the pool's own concurrency. */
  max: number;
  /** Rate-limit headroom (remaining / limit) below which `slowDown` lowers the limit. Default 0.1. */
  threshold?: number;
};

export interface AdaptiveLimit {
  readonly limit: number;
  /**
   * Bumped on every decrease. A caller that notes the epoch when a unit starts and passes it
   * back with the unit's outcome makes a burst of 429s from one window count once, instead of
   * halving the limit once per in-flight call (8 → 4 → 2 → 1 from a single overload).
   */
  readonly epoch: number;
  /** One success: after K successes in a row at the current limit, K = the limit, grow by 1. */
  recordSuccess(): void;
  /** A 429 or 529: halve the limit (never below 1). Returns true if the limit moved. */
  recordOverload(startedInEpoch?: number): boolean;
  /**
   * A success that reported little headroom left: below `threshold`, scale the limit down with
   * the headroom (at threshold no change, at 0 down to 1), before the server starts saying 429.
   * Returns true if the limit moved; a caller counts the call as a success otherwise.
   */
  slowDown(remainingFraction: number, startedInEpoch?: number): boolean;
}

/**
 * Additive increase, multiplicative decrease. Growth needs K successes with K the current
 * limit, i.e. one step per full "window" of calls: quick at 1, careful near the ceiling.
 * @example
 * const ai = createAdaptiveLimit({ max: 8 });
 * ai.recordOverload(); // limit 4
 * for (let i = 0; i < 4; i++) ai.recordSuccess(); // limit 5
 */
export function createAdaptiveLimit(options: AdaptiveOptions): AdaptiveLimit {
  const max = options.max;
  if (!(max >= 1)) throw new WeftError('INTERNAL', `adaptive max must be at least 1, got ${max}`);
  const threshold = options.threshold ?? 0.1;
  let limit = max;
  let epoch = 0;
  let successes = 0;

  const lower = (next: number, startedInEpoch: number | undefined): boolean => {
    if (startedInEpoch !== undefined && startedInEpoch !== epoch) return false;
    const target = Math.max(1, Math.min(limit - 1, next));
    if (target >= limit) return false;
    limit = target;
    epoch++;
    successes = 0;
    return true;
  };

  return {
    get limit() {
      return limit;
    },
    get epoch() {
      return epoch;
    },
    recordSuccess() {
      if (limit >= max) return;
      successes++;
      if (successes >= limit) {
        limit++;
        successes = 0;
      }
    },
    recordOverload(startedInEpoch) {
      return lower(Math.floor(limit / 2), startedInEpoch);
    },
    slowDown(remainingFraction, startedInEpoch) {
      if (!(remainingFraction < threshold)) return false;
      return lower(Math.floor((limit * Math.max(0, remainingFraction)) / threshold), startedInEpoch);
    },
  };
}
