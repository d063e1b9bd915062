// A circuit breaker per pool: after N consecutive failures the pool stops calling a service
// that is down, and tasks fail fast with CIRCUIT_OPEN instead of each waiting for its timeout.
import { WeftError } from '../../errors.js';

export type BreakerSpec = { failures: number; cooldownMs: number };
export type BreakerState = 'closed' | 'open' | 'half-open';
/** What a unit that wants to start should do: go ahead, fail fast, or wait for the trial. */
export type BreakerVerdict = 'pass' | 'fail' | 'wait';

export interface Breaker {
  /** `open` turns into `half-open` by itself once the cooldown has passed. */
  state(now: number): BreakerState;
  /** True while calls must fail fast. */
  isOpen(now: number): boolean;
  /**
   * The verdict for a unit that wants to start at `now`, without changing anything. In
   * half-open, one trial passes and the rest wait for its outcome.
   */
  check(now: number): BreakerVerdict;
  /** A unit passed `check` and started: in half-open, it is the one trial. Returns true if so. */
  recordStart(now: number): boolean;
  /** The trial was started but never ran (skipped): let another unit be the trial. */
  abandonTrial(): void;
  recordSuccess(): void;
  recordFailure(now: number): void;
}

/**
 * closed → open after `failures` consecutive failures → half-open after `cooldownMs` (one trial
 * call) → closed when the trial succeeds, open again when it fails.
 *
 * While open, outcomes of calls that were already running are ignored: they say nothing new
 * and must not stretch the cooldown. In half-open any outcome counts, the trial's or a
 * straggler's, since both are fresh news about the service.
 *
 * @example
 * const breaker = createBreaker({ failures: 2, cooldownMs: 1000 });
 * breaker.recordFailure(0);
 * breaker.recordFailure(10);
 * breaker.isOpen(500); // true
 * breaker.check(1010); // 'pass': the trial
 */
export function createBreaker(spec: BreakerSpec): Breaker {
  if (!(spec.failures >= 1)) throw new WeftError('CONFIG_INVALID', `breaker failures must be at least 1, got ${spec.failures}`);
  let state: 'closed' | 'open' = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let trialRunning = false;

  const stateAt = (now: number): BreakerState => {
    if (state === 'closed') return 'closed';
    return now - openedAt >= spec.cooldownMs ? 'half-open' : 'open';
  };
  const open = (now: number): void => {
    state = 'open';
    openedAt = now;
    trialRunning = false;
  };

  return {
    state: stateAt,
    isOpen(now) {
      return stateAt(now) === 'open';
    },
    check(now) {
      const s = stateAt(now);
      if (s === 'closed') return 'pass';
      if (s === 'open') return 'fail';
      return trialRunning ? 'wait' : 'pass';
    },
    recordStart(now) {
      if (stateAt(now) !== 'half-open') return false;
      trialRunning = true;
      return true;
    },
    abandonTrial() {
      trialRunning = false;
    },
    recordSuccess() {
      state = 'closed';
      consecutive = 0;
      trialRunning = false;
    },
    recordFailure(now) {
      const s = stateAt(now);
      if (s === 'open') return;
      if (s === 'half-open') return open(now);
      consecutive++;
      if (consecutive >= spec.failures) {
        consecutive = 0;
        open(now);
      }
    },
  };
}
