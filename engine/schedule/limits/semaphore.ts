// A counting semaphore that never blocks: the scheduler asks, and parks the unit itself when
// the answer is no. The limit is mutable because adaptive pools move it while units run.
import { WeftError } from '../../errors.js';

/** Slots counted, not awaited. */
export interface Semaphore {
  readonly limit: number;
  readonly active: number;
  /** True when a slot is free now (active < limit). */
  hasRoom(): boolean;
  /** Takes a slot if one is free; never waits. */
  tryAcquire(): boolean;
  release(): void;
  /**
   * Moves the limit. Lowering it below `active` takes nothing away from running holders; it
   * only refuses new ones until enough of them have released.
   */
  setLimit(limit: number): void;
}

/**
 * A counting semaphore with `limit` slots (`Infinity` for unlimited).
 * @example
 * const slots = createSemaphore(2);
 * slots.tryAcquire(); // true
 * slots.tryAcquire(); // true
 * slots.tryAcquire(); // false
 * slots.release();
 */
export function createSemaphore(limit: number): Semaphore {
  checkLimit(limit);
  let max = limit;
  let active = 0;
  return {
    get limit() {
      return max;
    },
    get active() {
      return active;
    },
    hasRoom() {
      return active < max;
    },
    tryAcquire() {
      if (active >= max) return false;
      active++;
      return true;
    },
    release() {
      if (active === 0) throw new WeftError('INTERNAL', 'semaphore released more often than acquired');
      active--;
    },
    setLimit(next) {
      checkLimit(next);
      max = next;
    },
  };
}

function checkLimit(limit: number): void {
  if (!(limit >= 1)) throw new WeftError('INTERNAL', `semaphore limit must be at least 1, got ${limit}`);
}
