// Everything a named pool limits, bundled: concurrency (adaptive or fixed), request rate,
// token budget and circuit breaker. The scheduler asks it questions; it never parks anything.
import { createAdaptiveLimit, type AdaptiveLimit } from './limits/adaptive.js';
import { createBreaker, type Breaker } from './limits/breaker.js';
import { createSemaphore, type Semaphore } from './limits/semaphore.js';
import { createTokenBucket, type TokenBucket } from './limits/token-bucket.js';
import type { PoolSpec } from '../types.js';

export type PoolLimits = {
  readonly name: string;
  readonly slots: Semaphore | undefined;
  readonly rate: TokenBucket | undefined;
  readonly tokens: TokenBucket | undefined;
  readonly adaptive: AdaptiveLimit | undefined;
  readonly breaker: Breaker | undefined;
};

/** How a finished unit went, as the run code saw it. */
export type Outcome = {
  ok: boolean;
  /** The call failed with 429/529: adaptive pools halve their concurrency. */
  overloaded?: boolean;
  /** Rate-limit headroom (0..1) the response reported; adaptive pools slow down when it runs low. */
  rateLimitRemaining?: number;
  /**
   * The unit started but did not run (a gate skipped it at start): its slots are freed and
   * the breaker and adaptive limit learn nothing, since no call was made.
   */
  skipped?: boolean;
};

/** What a started unit took from its pool, to give back in `releasePool`. */
export type PoolTicket = { epoch: number; trial: boolean };

/** `waitFor` answer: the pool cannot take the unit until something is released. */
export const BLOCKED = -1;

/**
 * The limits of pool `name`. An adaptive pool without its own concurrency adapts below the
 * run-wide concurrency.
 * @example
 * const api = createPoolLimits('api', { concurrency: 10, rate: { limit: 10, per: 'second' } }, 8);
 */
export function createPoolLimits(name: string, spec: PoolSpec, runConcurrency: number): PoolLimits {
  const max = spec.concurrency ?? (spec.adaptive ? runConcurrency : undefined);
  const adaptive = spec.adaptive && max !== undefined ? createAdaptiveLimit({ max }) : undefined;
  return {
    name,
    slots: max === undefined ? undefined : createSemaphore(max),
    // Evenly spaced unless the author asks for bursts: a full bucket of `limit` let ~2x `limit`
    // starts through in the first window, and servers that count in windows answer those with 429s
    // (14.5% of 234 requests at 20/s in the llm bench; 0 with burst 1, for 5% more wall time).
    rate: spec.rate ? createTokenBucket({ ...spec.rate, burst: spec.rate.burst ?? 1 }) : undefined,
    tokens: spec.tokens ? createTokenBucket(spec.tokens) : undefined,
    adaptive,
    breaker: spec.breaker ? createBreaker(spec.breaker) : undefined,
  };
}

/**
 * 0 when a unit weighing `weight` tokens may start at `now` (or must fail fast: open breaker),
 * BLOCKED when it waits for a slot or the half-open trial, else milliseconds until the rate or
 * token bucket has room. Changes nothing.
 */
export function waitFor(pool: PoolLimits, weight: number, now: number): number {
  const verdict = pool.breaker?.check(now);
  if (verdict === 'fail') return 0;
  if (verdict === 'wait') return BLOCKED;
  if (pool.slots && !pool.slots.hasRoom()) return BLOCKED;
  const forRate = pool.rate ? pool.rate.waitTimeMs(1, now) : 0;
  const forTokens = pool.tokens && weight > 0 ? pool.tokens.waitTimeMs(weight, now) : 0;
  return Math.max(forRate, forTokens);
}

/** Takes a slot, a request and `weight` tokens for a unit that passed `waitFor`. */
export function takePool(pool: PoolLimits, weight: number, now: number): PoolTicket {
  pool.slots?.tryAcquire();
  pool.rate?.tryTake(1, now);
  if (pool.tokens && weight > 0) pool.tokens.tryTake(weight, now);
  const trial = pool.breaker ? pool.breaker.recordStart(now) : false;
  return { epoch: pool.adaptive ? pool.adaptive.epoch : 0, trial };
}

/** Gives back a unit's slot and feeds its outcome to the breaker and the adaptive limit. */
export function releasePool(pool: PoolLimits, ticket: PoolTicket, outcome: Outcome, now: number): void {
  pool.slots?.release();
  if (outcome.skipped) {
    if (ticket.trial) pool.breaker?.abandonTrial();
    return;
  }
  if (pool.breaker) {
    if (outcome.ok) pool.breaker.recordSuccess();
    else pool.breaker.recordFailure(now);
  }
  const adaptive = pool.adaptive;
  if (!adaptive || !pool.slots) return;
  if (outcome.overloaded) adaptive.recordOverload(ticket.epoch);
  else if (outcome.ok) {
    const remaining = outcome.rateLimitRemaining;
    if (remaining === undefined || !adaptive.slowDown(remaining, ticket.epoch)) adaptive.recordSuccess();
  }
  pool.slots.setLimit(adaptive.limit);
}
