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
  return new KeyLocks();
}

class KeyLocks implements LockManager {
  private readonly keys = new Map<string, KeyState>();
  private readonly held = new Map<string, readonly string[]>();
  private readonly waiting = new Map<string, Waiter>();

  tryAcquire(holder: string, wanted: readonly string[]): boolean {
    if (this.held.has(holder)) throw new WeftError('INTERNAL', `${holder} already holds its locks`);
    const waiter = this.waiting.get(holder);
    const unique = waiter ? waiter.keys : wanted.length > 1 ? [...new Set(wanted)] : wanted;
    if (unique.every((key) => this.isFreeFor(key, waiter))) {
      for (const key of unique) {
        const state = this.stateOf(key);
        state.holder = holder;
        // isFreeFor found the waiter at the head of each queue: it leaves them now.
        if (waiter) state.queue.shift();
      }
      if (waiter) this.waiting.delete(holder);
      this.held.set(holder, unique);
      return true;
    }
    if (!waiter) this.enqueue({ id: holder, keys: unique, alive: true });
    return false;
  }

  release(holder: string): string[] {
    const mine = this.held.get(holder);
    if (!mine) return [];
    this.held.delete(holder);
    for (const key of mine) this.stateOf(key).holder = undefined;
    return this.admitted(mine);
  }

  cancel(holder: string): string[] {
    const waiter = this.waiting.get(holder);
    if (!waiter) return [];
    this.waiting.delete(holder);
    waiter.alive = false;
    return this.admitted(waiter.keys);
  }

  isQueued(holder: string): boolean {
    return this.waiting.has(holder);
  }

  holderOf(key: string): string | undefined {
    return this.keys.get(key)?.holder;
  }

  private enqueue(waiter: Waiter): void {
    for (const key of waiter.keys) this.stateOf(key).queue.push(waiter);
    this.waiting.set(waiter.id, waiter);
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { holder: undefined, queue: new Fifo() };
      this.keys.set(key, state);
    }
    return state;
  }

  // Cancelled waiters stay in the queues until they reach the front; skip and drop them there.
  private headOf(state: KeyState): Waiter | undefined {
    let head = state.queue.peek();
    while (head && !head.alive) {
      state.queue.shift();
      head = state.queue.peek();
    }
    return head;
  }

  private isFreeFor(key: string, waiter: Waiter | undefined): boolean {
    const state = this.keys.get(key);
    if (!state) return true;
    if (state.holder !== undefined) return false;
    const head = this.headOf(state);
    return head === undefined || head === waiter;
  }

  // The waiters at the head of the touched keys' queues that can now take all their keys; keys
  // nobody holds or waits for are forgotten.
  private admitted(touched: readonly string[]): string[] {
    const ready: string[] = [];
    for (const key of touched) {
      const state = this.keys.get(key);
      if (!state) continue;
      const head = this.headOf(state);
      if (head && !ready.includes(head.id) && head.keys.every((k) => this.isFreeFor(k, head))) ready.push(head.id);
      if (state.holder === undefined && this.headOf(state) === undefined) this.keys.delete(key);
    }
    return ready;
  }
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
