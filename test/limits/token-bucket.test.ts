import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../../engine/schedule/limits/token-bucket.js';

describe('createTokenBucket', () => {
  it('starts full at burst and refills at limit per period', () => {
    const b = createTokenBucket({ limit: 10, per: 'second', burst: 3 });
    expect([b.tryTake(1, 0), b.tryTake(1, 0), b.tryTake(1, 0), b.tryTake(1, 0)]).toEqual([true, true, true, false]);
    expect(b.waitTimeMs(1, 0)).toBe(100);
    expect(b.tryTake(1, 99)).toBe(false);
    expect(b.tryTake(1, 100)).toBe(true);
  });

  it('never holds more than its capacity however long it idles', () => {
    const b = createTokenBucket({ limit: 60, per: 'minute', burst: 2 });
    b.tryTake(2, 0);
    expect(b.tryTake(2, 3_600_000)).toBe(true);
    expect(b.tryTake(1, 3_600_000)).toBe(false);
  });

  it('says exactly when n tokens will be there, per minute and per hour', () => {
    const perMinute = createTokenBucket({ limit: 60, per: 'minute' });
    perMinute.tryTake(60, 0);
    expect(perMinute.waitTimeMs(3, 0)).toBe(3_000);
    const perHour = createTokenBucket({ limit: 3_600, per: 'hour' });
    perHour.tryTake(3_600, 0);
    expect(perHour.waitTimeMs(1, 0)).toBe(1_000);
  });

  it('weighs takes: a token-per-minute budget charges each call its estimate', () => {
    const b = createTokenBucket({ limit: 10_000, per: 'minute' });
    expect(b.tryTake(6_000, 0)).toBe(true);
    expect(b.canTake(6_000, 0)).toBe(false);
    expect(b.tryTake(4_000, 0)).toBe(true);
    expect(b.waitTimeMs(6_000, 0)).toBe(36_000);
  });

  it('lets a take heavier than the bucket through once full, in debt that the refill pays back', () => {
    const b = createTokenBucket({ limit: 1_000, per: 'second' });
    expect(b.tryTake(3_000, 0)).toBe(true);
    // 2,000 tokens of debt plus 1 token: 2.001 s at 1 token per ms.
    expect(b.waitTimeMs(1, 0)).toBe(2_001);
    expect(b.tryTake(1, 2_000)).toBe(false);
    expect(b.tryTake(1, 2_001)).toBe(true);
    // And the heavy take passes again once the bucket is full, never waiting forever.
    expect(b.waitTimeMs(3_000, 2_001)).toBe(1_000);
  });

  it('finds the token there at the instant waitTimeMs promised despite fractional refill', () => {
    const b = createTokenBucket({ limit: 7, per: 'second', burst: 1 });
    let now = 0;
    for (let i = 0; i < 50; i++) {
      now += b.waitTimeMs(1, now);
      expect(b.tryTake(1, now)).toBe(true);
    }
    // 50 takes at 7/s: the first is free, 49 more need 7 s.
    expect(now).toBeGreaterThanOrEqual(7_000);
    expect(now).toBeLessThanOrEqual(7_050);
  });

  it('ignores a clock that steps back instead of refunding tokens', () => {
    const b = createTokenBucket({ limit: 1, per: 'second' });
    b.tryTake(1, 5_000);
    expect(b.tryTake(1, 1_000)).toBe(false);
    expect(b.tryTake(1, 2_000)).toBe(true);
  });

  it('rejects a non-positive limit with CONFIG_INVALID', () => {
    expect(() => createTokenBucket({ limit: 0, per: 'second' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
