import { describe, expect, it } from 'vitest';
import { createAdaptiveLimit } from '../../engine/schedule/limits/adaptive.js';

describe('createAdaptiveLimit', () => {
  it("starts at the pool's max and halves on overload, never below 1", () => {
    const a = createAdaptiveLimit({ max: 8 });
    expect(a.limit).toBe(8);
    const seen = [];
    for (let i = 0; i < 5; i++) {
      a.recordOverload();
      seen.push(a.limit);
    }
    expect(seen).toEqual([4, 2, 1, 1, 1]);
  });

  it('grows by one after K successes, K being the current limit, and never above max', () => {
    const a = createAdaptiveLimit({ max: 4 });
    a.recordOverload(); // 2
    a.recordSuccess();
    expect(a.limit).toBe(2);
    a.recordSuccess();
    expect(a.limit).toBe(3);
    for (let i = 0; i < 3; i++) a.recordSuccess();
    expect(a.limit).toBe(4);
    for (let i = 0; i < 100; i++) a.recordSuccess();
    expect(a.limit).toBe(4);
  });

  it('counts a burst of overloads from one epoch once', () => {
    const a = createAdaptiveLimit({ max: 8 });
    const epoch = a.epoch;
    expect(a.recordOverload(epoch)).toBe(true);
    expect(a.recordOverload(epoch)).toBe(false);
    expect(a.recordOverload(epoch)).toBe(false);
    expect(a.limit).toBe(4);
    expect(a.recordOverload(a.epoch)).toBe(true);
    expect(a.limit).toBe(2);
  });

  it('slows down before a 429 when headroom drops below 10%, in proportion to it', () => {
    const a = createAdaptiveLimit({ max: 10 });
    expect(a.slowDown(0.5)).toBe(false);
    expect(a.slowDown(0.1)).toBe(false);
    expect(a.limit).toBe(10);
    expect(a.slowDown(0.05)).toBe(true);
    expect(a.limit).toBe(5);
    expect(a.slowDown(0)).toBe(true);
    expect(a.limit).toBe(1);
  });

  it('always lowers by at least one when headroom is just under the threshold', () => {
    const a = createAdaptiveLimit({ max: 3 });
    expect(a.slowDown(0.099)).toBe(true);
    expect(a.limit).toBe(2);
  });
});
