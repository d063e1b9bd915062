import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../engine/schedule/limits/semaphore.js';

describe('createSemaphore', () => {
  it('hands out at most limit slots and takes them back', () => {
    const s = createSemaphore(2);
    expect([s.tryAcquire(), s.tryAcquire(), s.tryAcquire()]).toEqual([true, true, false]);
    expect(s.active).toBe(2);
    s.release();
    expect(s.hasRoom()).toBe(true);
    expect(s.tryAcquire()).toBe(true);
  });

  it('lowering the limit keeps holders but refuses newcomers until enough release', () => {
    const s = createSemaphore(3);
    s.tryAcquire();
    s.tryAcquire();
    s.tryAcquire();
    s.setLimit(1);
    s.release();
    expect(s.tryAcquire()).toBe(false);
    s.release();
    expect(s.tryAcquire()).toBe(false);
    s.release();
    expect(s.tryAcquire()).toBe(true);
  });

  it('raising the limit lets more in at once', () => {
    const s = createSemaphore(1);
    s.tryAcquire();
    s.setLimit(2);
    expect(s.tryAcquire()).toBe(true);
  });

  it('rejects a release without an acquire and a limit below 1', () => {
    expect(() => createSemaphore(1).release()).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => createSemaphore(0)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
