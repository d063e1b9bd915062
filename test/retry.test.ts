import { describe, expect, it } from 'vitest';
import { backoffDelay, nextDelay, shouldRetry } from '../engine/run/retry.js';
import type { ErrorData, RetryPolicy } from '../engine/types.js';

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  attempts: 5,
  delayMs: 100,
  backoff: 'exponential',
  factor: 2,
  maxDelayMs: 1_000,
  jitter: false,
  ...over,
});

const retryable: ErrorData = { code: 'RATE_LIMITED', message: '429', retryable: true };

describe('backoffDelay', () => {
  it('keeps a fixed delay', () => {
    expect([1, 2, 3].map((n) => backoffDelay(policy({ backoff: 'fixed' }), n))).toEqual([100, 100, 100]);
  });

  it('grows linearly with the attempt', () => {
    expect([1, 2, 3].map((n) => backoffDelay(policy({ backoff: 'linear' }), n))).toEqual([100, 200, 300]);
  });

  it('grows exponentially by factor and stops at maxDelayMs', () => {
    const p = policy({ factor: 3 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p, n))).toEqual([100, 300, 900, 1_000, 1_000]);
  });

  it('stays capped at absurd attempt counts instead of overflowing', () => {
    expect(backoffDelay(policy(), 10_000)).toBe(1_000);
  });

  it('jitters within [d/2, d] (equal jitter)', () => {
    const p = policy({ jitter: true, backoff: 'fixed', delayMs: 800 });
    expect(backoffDelay(p, 1, () => 0)).toBe(400);
    expect(backoffDelay(p, 1, () => 0.5)).toBe(600);
    expect(backoffDelay(p, 1, () => 0.999999)).toBeCloseTo(800, 3);
  });

  it('jitters after the cap, so the cap still holds', () => {
    const p = policy({ jitter: true });
    expect(backoffDelay(p, 20, () => 0.999999)).toBeLessThanOrEqual(1_000);
  });
});

describe('shouldRetry', () => {
  it('re-runs an attempt whose worker was lost, whatever the policy, at once, a few times', () => {
    const lost = { code: 'WORKER_LOST' as const, message: 'worker gone', retryable: true };
    const once = policy({ attempts: 1 });
    expect([1, 2, 3, 4].map((attempt) => shouldRetry(lost, attempt, once))).toEqual([true, true, true, false]);
    expect(nextDelay(lost, 1, policy({ attempts: 1, delayMs: 5000 }))).toBe(0);
  });

  it('retries a retryable error while attempts remain (attempts counts the first try)', () => {
    const p = policy({ attempts: 3 });
    expect(shouldRetry(retryable, 1, p)).toBe(true);
    expect(shouldRetry(retryable, 2, p)).toBe(true);
    expect(shouldRetry(retryable, 3, p)).toBe(false);
  });

  it('never retries an error the executor did not mark retryable', () => {
    expect(shouldRetry({ code: 'HTTP_ERROR', message: '400', status: 400 }, 1, policy())).toBe(false);
    expect(shouldRetry({ ...retryable, retryable: false }, 1, policy())).toBe(false);
  });

  it('does not retry with the default single attempt', () => {
    expect(shouldRetry(retryable, 1, policy({ attempts: 1 }))).toBe(false);
  });
});

describe('nextDelay', () => {
  it('is the backoff when the server asked for nothing', () => {
    expect(nextDelay(retryable, 2, policy())).toBe(200);
  });

  it('waits as long as the server asked when that is longer, even past maxDelayMs', () => {
    expect(nextDelay({ ...retryable, retryAfterMs: 5_000 }, 1, policy())).toBe(5_000);
  });

  it('keeps the backoff when the server asked for less', () => {
    expect(nextDelay({ ...retryable, retryAfterMs: 10 }, 3, policy())).toBe(400);
  });
});
