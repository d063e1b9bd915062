// Resource locks (`locks: ["file:{{item.file}}"]`): tasks sharing a key never overlap.
// A unit takes all of its keys at once or none, so two units can never each hold half of
// what the other needs (no deadlock), and waiters queue per key in arrival order, so a unit
// needing keys a+b is not starved by a stream of units that need only a.
import { WeftError } from '../../errors.js';

export interface LockManager {
  /**
   * Takes every key for `holder`, or none. A key is free for `holder` when nobody holds it and
   * no earlier waiter is queued on it. On failure `holder` is queued on each of its keys (once,
   * at its first failed try); its place is kept for its later tries.
   */
  tryAcquire(holder: string, keys: readonly string[]): boolean;
  /** Frees the holder's keys. Returns the queued waiters that `tryAcquire` would now admit. */
  release(holder: string): string[];
  /** Drops a queued waiter. Returns the waiters that its leaving lets through. */
  cancel(holder: string): string[];
  isQueued(holder: string): boolean;
  /** Who holds `key`, if anyone. */
  holderOf(key: string): string | undefined;
}

type Waiter = { id: string; keys: readonly string[]; alive: boolean };
type KeyState = { holder: string | undefined; queue: Fifo<Waiter> };

/**
 * A lock manager over string keys; holders and waiters are unit ids.
 * @example
 * const locks = createLockManager();
 * locks.tryAcquire('a', ['file:x']); // true
 * locks.tryAcquire('b', ['file:x', 'file:y']); // false: queued
 * locks.tryAcquire('c', ['file:y']); // false: b is first in line for file:y
 * locks.release('a'); // ['b']
 */
export function createLockManager(): LockManager {
  const keys = new Map<string, KeyState>();
  const held = new Map<string, readonly string[]>();
  const waiting = new Map<string, Waiter>();

  const stateOf = (key: string): KeyState => {
    let state = keys.get(key);
    if (!state) {
      state = { holder: undefined, queue: new Fifo() };
      keys.set(key, state);
    }
    return state;
  };
  // Cancelled waiters stay in the queues until they reach the front; skip and drop them there.
  const headOf = (state: KeyState): Waiter | undefined => {
    let head = state.queue.peek();
    while (head && !head.alive) {
      state.queue.shift();
      head = state.queue.peek();
    }
    return head;
  };
  const forget = (key: string, state: KeyState): void => {
    if (state.holder === undefined && headOf(state) === undefined) keys.delete(key);
  };
  const isFreeFor = (key: string, waiter: Waiter | undefined): boolean => {
    const state = keys.get(key);
    if (!state) return true;
    if (state.holder !== undefined) return false;
    const head = headOf(state);
    return head === undefined || head === waiter;
  };
  const admitted = (touched: readonly string[]): string[] => {
    const ready: string[] = [];
    for (const key of touched) {
      const state = keys.get(key);
      if (!state) continue;
      const head = headOf(state);
      if (head && !ready.includes(head.id) && head.keys.every((k) => isFreeFor(k, head))) ready.push(head.id);
      forget(key, state);
    }
    return ready;
  };

  return {
    tryAcquire(holder, wanted) {
      if (held.has(holder)) throw new WeftError('INTERNAL', `${holder} already holds its locks`);
      const waiter = waiting.get(holder);
      const unique = waiter ? waiter.keys : wanted.length > 1 ? [...new Set(wanted)] : wanted;
      if (unique.every((key) => isFreeFor(key, waiter))) {
        for (const key of unique) {
          const state = stateOf(key);
          state.holder = holder;
          if (waiter) state.queue.shift();
        }
        if (waiter) waiting.delete(holder);
        held.set(holder, unique);
        return true;
      }
      if (!waiter) {
        const queued: Waiter = { id: holder, keys: unique, alive: true };
        for (const key of unique) stateOf(key).queue.push(queued);
        waiting.set(holder, queued);
      }
      return false;
    },
    release(holder) {
      const mine = held.get(holder);
      if (!mine) return [];
      held.delete(holder);
      for (const key of mine) stateOf(key).holder = undefined;
      return admitted(mine);
    },
    cancel(holder) {
      const waiter = waiting.get(holder);
      if (!waiter) return [];
      waiting.delete(holder);
      waiter.alive = false;
      return admitted(waiter.keys);
    },
    isQueued(holder) {
      return waiting.has(holder);
    },
    holderOf(key) {
      return keys.get(key)?.holder;
    },
  };
}

/** A queue with O(1) shift: Array#shift copies, which is quadratic over 100,000 waiters. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    // Compact once the dead prefix is most of the array, keeping shift amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
