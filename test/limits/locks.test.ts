import { describe, expect, it } from 'vitest';
import { createLockManager } from '../../engine/schedule/limits/locks.js';

describe('createLockManager', () => {
  it('takes all keys or none', () => {
    const locks = createLockManager();
    expect(locks.tryAcquire('a', ['x'])).toBe(true);
    expect(locks.tryAcquire('b', ['y', 'x'])).toBe(false);
    // b holds nothing while it waits: y is free, only reserved for b as first in line.
    expect(locks.holderOf('y')).toBeUndefined();
    expect(locks.release('a')).toEqual(['b']);
    expect(locks.tryAcquire('b', ['y', 'x'])).toBe(true);
    expect(locks.holderOf('x')).toBe('b');
    expect(locks.holderOf('y')).toBe('b');
  });

  it('lets units with disjoint keys hold them together', () => {
    const locks = createLockManager();
    expect(locks.tryAcquire('a', ['x'])).toBe(true);
    expect(locks.tryAcquire('b', ['y'])).toBe(true);
  });

  it('is FIFO per key: a later single-key unit queues behind a waiting multi-key unit', () => {
    const locks = createLockManager();
    locks.tryAcquire('a', ['x']);
    expect(locks.tryAcquire('multi', ['x', 'y'])).toBe(false);
    // y is free, but multi is first in line for it.
    expect(locks.tryAcquire('c', ['y'])).toBe(false);
    expect(locks.release('a')).toEqual(['multi']);
    expect(locks.tryAcquire('c', ['y'])).toBe(false);
    expect(locks.tryAcquire('multi', ['x', 'y'])).toBe(true);
    expect(locks.release('multi')).toEqual(['c']);
    expect(locks.tryAcquire('c', ['y'])).toBe(true);
  });

  it('keeps a waiter its place over several tries', () => {
    const locks = createLockManager();
    locks.tryAcquire('a', ['x']);
    locks.tryAcquire('b', ['x']);
    locks.tryAcquire('c', ['x']);
    expect(locks.tryAcquire('b', ['x'])).toBe(false);
    expect(locks.release('a')).toEqual(['b']);
    expect(locks.tryAcquire('c', ['x'])).toBe(false);
    expect(locks.tryAcquire('b', ['x'])).toBe(true);
  });

  it('lets the next waiter through when a queued one is cancelled', () => {
    const locks = createLockManager();
    locks.tryAcquire('a', ['x']);
    locks.tryAcquire('multi', ['x', 'y']);
    locks.tryAcquire('c', ['y']);
    expect(locks.cancel('multi')).toEqual(['c']);
    expect(locks.isQueued('multi')).toBe(false);
    expect(locks.tryAcquire('c', ['y'])).toBe(true);
  });

  it('treats a key listed twice as one key', () => {
    const locks = createLockManager();
    expect(locks.tryAcquire('a', ['x', 'x'])).toBe(true);
    expect(locks.release('a')).toEqual([]);
    expect(locks.tryAcquire('b', ['x'])).toBe(true);
  });

  it('never deadlocks two units that want the same keys in opposite order', () => {
    const locks = createLockManager();
    locks.tryAcquire('hold', ['x', 'y']);
    expect(locks.tryAcquire('xy', ['x', 'y'])).toBe(false);
    expect(locks.tryAcquire('yx', ['y', 'x'])).toBe(false);
    expect(locks.release('hold')).toEqual(['xy']);
    expect(locks.tryAcquire('xy', ['x', 'y'])).toBe(true);
    expect(locks.release('xy')).toEqual(['yx']);
    expect(locks.tryAcquire('yx', ['y', 'x'])).toBe(true);
  });

  it('serves 100,000 waiters on one key in arrival order', () => {
    const locks = createLockManager();
    locks.tryAcquire('u0', ['k']);
    for (let i = 1; i < 100_000; i++) locks.tryAcquire(`u${i}`, ['k']);
    let holder = 'u0';
    let inOrder = 0;
    for (let i = 1; i < 100_000; i++) {
      const [next] = locks.release(holder);
      if (next === `u${i}` && locks.tryAcquire(next, ['k'])) inOrder++;
      holder = next ?? holder;
    }
    expect(inOrder).toBe(99_999);
  });
});
