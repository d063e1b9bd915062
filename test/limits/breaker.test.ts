import { describe, expect, it } from 'vitest';
import { createBreaker } from '../../engine/schedule/limits/breaker.js';

describe('createBreaker', () => {
  it('opens after N consecutive failures, not after N scattered ones', () => {
    const b = createBreaker({ failures: 3, cooldownMs: 1_000 });
    b.recordFailure(0);
    b.recordFailure(0);
    b.recordSuccess();
    b.recordFailure(0);
    b.recordFailure(0);
    expect(b.state(0)).toBe('closed');
    b.recordFailure(10);
    expect(b.state(10)).toBe('open');
    expect(b.isOpen(10)).toBe(true);
    expect(b.check(10)).toBe('fail');
  });

  it('half-opens after the cooldown and lets exactly one trial through', () => {
    const b = createBreaker({ failures: 1, cooldownMs: 1_000 });
    b.recordFailure(0);
    expect(b.isOpen(999)).toBe(true);
    expect(b.state(1_000)).toBe('half-open');
    expect(b.isOpen(1_000)).toBe(false);
    expect(b.check(1_000)).toBe('pass');
    b.recordStart(1_000);
    expect(b.check(1_001)).toBe('wait');
  });

  it('closes when the trial succeeds', () => {
    const b = createBreaker({ failures: 1, cooldownMs: 1_000 });
    b.recordFailure(0);
    b.recordStart(1_500);
    b.recordSuccess();
    expect(b.state(1_500)).toBe('closed');
    expect(b.check(1_500)).toBe('pass');
  });

  it('opens again, for a fresh cooldown, when the trial fails', () => {
    const b = createBreaker({ failures: 2, cooldownMs: 1_000 });
    b.recordFailure(0);
    b.recordFailure(0);
    b.recordStart(1_000);
    b.recordFailure(1_200);
    expect(b.isOpen(2_100)).toBe(true);
    expect(b.state(2_200)).toBe('half-open');
  });

  it('ignores stragglers failing while open: they must not stretch the cooldown', () => {
    const b = createBreaker({ failures: 1, cooldownMs: 1_000 });
    b.recordFailure(0);
    b.recordFailure(900);
    expect(b.state(1_000)).toBe('half-open');
  });

  it('lets another unit be the trial when the trial is abandoned', () => {
    const b = createBreaker({ failures: 1, cooldownMs: 100 });
    b.recordFailure(0);
    expect(b.recordStart(50)).toBe(false);
    expect(b.recordStart(100)).toBe(true);
    expect(b.check(100)).toBe('wait');
    b.abandonTrial();
    expect(b.check(100)).toBe('pass');
  });
});
