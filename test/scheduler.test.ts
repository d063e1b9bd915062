import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type Outcome, type Scheduler, type SchedulerOptions, type StartInfo, type Unit } from '../engine/schedule/scheduler.js';

type Options = Omit<SchedulerOptions, 'start'>;

/**
 * Runs units that finish after a few ms of real timers and records what overlapped: the most
 * in flight overall, per group, per pool, and any lock key held twice.
 */
function harness(options: Options, finish: { delayMs?: (unit: Unit) => number; outcome?: (unit: Unit) => Outcome } = {}) {
  const started: string[] = [];
  const infos = new Map<string, StartInfo>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const heldKeys = new Set<string>();
  const lockClashes: string[] = [];
  let settle: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (settle = resolve));

  const bump = (key: string, by: number) => {
    const n = (inFlight.get(key) ?? 0) + by;
    inFlight.set(key, n);
    if (n > (maxInFlight.get(key) ?? 0)) maxInFlight.set(key, n);
  };
  const dimensions = (unit: Unit) => ['*', ...(unit.group ? [`group:${unit.group}`] : []), ...(unit.pool ? [`pool:${unit.pool}`] : [])];

  const scheduler: Scheduler = createScheduler({
    ...options,
    start(unit, info) {
      started.push(unit.id);
      infos.set(unit.id, info);
      for (const d of dimensions(unit)) bump(d, 1);
      const keys = info.circuitOpen ? [] : (unit.locks ?? []);
      for (const key of keys) {
        if (heldKeys.has(key)) lockClashes.push(`${unit.id} on ${key}`);
        heldKeys.add(key);
      }
      setTimeout(() => {
        for (const d of dimensions(unit)) bump(d, -1);
        for (const key of keys) heldKeys.delete(key);
        scheduler.done(unit.id, finish.outcome?.(unit) ?? { ok: true });
        if (scheduler.idle()) settle();
      }, finish.delayMs?.(unit) ?? 1 + (started.length % 3));
    },
  });
  return {
    scheduler,
    started,
    infos,
    lockClashes,
    max: (key: string) => maxInFlight.get(key) ?? 0,
    push: (...units: Unit[]) => units.forEach((u) => scheduler.push(u)),
    allDone,
  };
}

const unit = (id: string, over: Partial<Unit> = {}): Unit => ({ id, priority: 0, ...over });
const units = (n: number, over: Partial<Unit> = {}, prefix = 'u'): Unit[] =>
  Array.from({ length: n }, (_, i) => unit(`${prefix}${i}`, over));

/** A scheduler whose units finish only when the test says so. */
function manual(options: Options) {
  const started: string[] = [];
  const infos = new Map<string, StartInfo>();
  const scheduler = createScheduler({
    ...options,
    start(u, info) {
      started.push(u.id);
      infos.set(u.id, info);
    },
  });
  return { scheduler, started, infos };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createScheduler: concurrency', () => {
  it('never runs more than the run-wide concurrency, and uses all of it', async () => {
    const h = harness({ concurrency: 3 });
    h.push(...units(30));
    await h.allDone;
    expect(h.started).toHaveLength(30);
    expect(h.max('*')).toBe(3);
  });

  it('caps a group while other units use the remaining slots', async () => {
    const h = harness({ concurrency: 6, groups: { fix: 2 } });
    h.push(...units(12, { group: 'fix' }, 'fix'), ...units(12, {}, 'free'));
    await h.allDone;
    expect(h.started).toHaveLength(24);
    expect(h.max('group:fix')).toBe(2);
    expect(h.max('*')).toBe(6);
  });

  it('caps a pool shared by units of different groups', async () => {
    const h = harness({ concurrency: 8, groups: { a: 4, b: 4 }, pools: { api: { concurrency: 3 } } });
    h.push(...units(10, { group: 'a', pool: 'api' }, 'a'), ...units(10, { group: 'b', pool: 'api' }, 'b'));
    await h.allDone;
    expect(h.started).toHaveLength(20);
    expect(h.max('pool:api')).toBe(3);
  });

  it('starts more units at once when concurrency is raised', () => {
    const m = manual({ concurrency: 1 });
    units(4).forEach((u) => m.scheduler.push(u));
    expect(m.started).toEqual(['u0']);
    m.scheduler.setConcurrency(3);
    expect(m.started).toEqual(['u0', 'u1', 'u2']);
    expect(m.scheduler.running()).toBe(3);
    expect(m.scheduler.waiting()).toBe(1);
  });
});

describe('createScheduler: priority', () => {
  it('starts higher priority first when concurrency is 1, ties in push order', () => {
    const m = manual({ concurrency: 1 });
    m.scheduler.push(unit('blocker'));
    m.scheduler.push(unit('low', { priority: 1 }));
    m.scheduler.push(unit('high', { priority: 5 }));
    m.scheduler.push(unit('mid', { priority: 3 }));
    m.scheduler.push(unit('high2', { priority: 5 }));
    for (const id of ['blocker', 'high', 'high2', 'mid']) m.scheduler.done(id, { ok: true });
    expect(m.started).toEqual(['blocker', 'high', 'high2', 'mid', 'low']);
  });

  it('keeps priority order among units that waited for their group', () => {
    const m = manual({ concurrency: 4, groups: { g: 1 } });
    m.scheduler.push(unit('first', { group: 'g' }));
    m.scheduler.push(unit('low', { group: 'g', priority: 1 }));
    m.scheduler.push(unit('high', { group: 'g', priority: 9 }));
    m.scheduler.done('first', { ok: true });
    m.scheduler.done('high', { ok: true });
    expect(m.started).toEqual(['first', 'high', 'low']);
  });
});

describe('createScheduler: no head-of-line blocking', () => {
  it('starts an unrelated unit while a higher-priority one waits for its group, pool or lock', () => {
    const m = manual({ concurrency: 10, groups: { g: 1 }, pools: { p: { concurrency: 1 } } });
    m.scheduler.push(unit('g-running', { group: 'g' }));
    m.scheduler.push(unit('p-running', { pool: 'p' }));
    m.scheduler.push(unit('lock-running', { locks: ['file:a'] }));
    m.scheduler.push(unit('g-blocked', { group: 'g', priority: 9 }));
    m.scheduler.push(unit('p-blocked', { pool: 'p', priority: 9 }));
    m.scheduler.push(unit('lock-blocked', { locks: ['file:a'], priority: 9 }));
    m.scheduler.push(unit('free', { priority: 0 }));
    expect(m.started).toEqual(['g-running', 'p-running', 'lock-running', 'free']);
    expect(m.scheduler.waiting()).toBe(3);
    m.scheduler.done('p-running', { ok: true });
    expect(m.started.at(-1)).toBe('p-blocked');
  });
});

describe('createScheduler: locks', () => {
  it('never runs two units holding a common key at once', async () => {
    const keys = ['file:a', 'file:b', 'file:c'];
    const h = harness({ concurrency: 8 });
    for (let i = 0; i < 60; i++) {
      const mine = i % 4 === 0 ? [keys[i % 3]!, keys[(i + 1) % 3]!] : [keys[i % 3]!];
      h.push(unit(`u${i}`, { locks: mine }));
    }
    await h.allDone;
    expect(h.started).toHaveLength(60);
    expect(h.lockClashes).toEqual([]);
    // Three keys, so three single-key units can overlap: locks must not serialise everything.
    expect(h.max('*')).toBeGreaterThan(1);
  });

  it('does not starve a two-key unit behind a stream of units on one of its keys', () => {
    const m = manual({ concurrency: 8 });
    m.scheduler.push(unit('s0', { locks: ['x'] }));
    m.scheduler.push(unit('holds-y', { locks: ['y'] }));
    m.scheduler.push(unit('multi', { locks: ['x', 'y'] }));
    // A stream on x. x falls free while multi still waits for y; the stream must queue behind
    // multi instead of taking x, or multi would wait for the stream to dry up.
    m.scheduler.push(unit('s1', { locks: ['x'] }));
    m.scheduler.done('s0', { ok: true });
    m.scheduler.push(unit('s2', { locks: ['x'] }));
    expect(m.started).toEqual(['s0', 'holds-y']);
    m.scheduler.done('holds-y', { ok: true });
    m.scheduler.push(unit('s3', { locks: ['x'] }));
    for (const id of ['multi', 's1', 's2']) m.scheduler.done(id, { ok: true });
    expect(m.started).toEqual(['s0', 'holds-y', 'multi', 's1', 's2', 's3']);
  });

  it('lets a unit on a free key run while a multi-key unit waits for its other key', () => {
    const m = manual({ concurrency: 4 });
    m.scheduler.push(unit('holds-x', { locks: ['x'] }));
    m.scheduler.push(unit('multi', { locks: ['x', 'y'] }));
    m.scheduler.push(unit('on-z', { locks: ['z'] }));
    expect(m.started).toEqual(['holds-x', 'on-z']);
    m.scheduler.done('holds-x', { ok: true });
    expect(m.started).toEqual(['holds-x', 'on-z', 'multi']);
  });
});

describe('createScheduler: pool rate and tokens', () => {
  it('paces starts evenly by default and wakes parked units when a token is due', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { api: { rate: { limit: 2, per: 'second' } } } });
    units(5, { pool: 'api' }).forEach((u) => m.scheduler.push(u));
    expect(m.started).toEqual(['u0']);
    vi.advanceTimersByTime(499);
    expect(m.started).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(m.started).toEqual(['u0', 'u1']);
    vi.advanceTimersByTime(1_000);
    expect(m.started).toEqual(['u0', 'u1', 'u2', 'u3']);
    vi.advanceTimersByTime(500);
    expect(m.started).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    m.scheduler.close();
  });

  it('lets a burst through at once, then paces', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { api: { rate: { limit: 1, per: 'second', burst: 3 } } } });
    units(6, { pool: 'api' }).forEach((u) => m.scheduler.push(u));
    expect(m.started).toHaveLength(3);
    vi.advanceTimersByTime(2_000);
    expect(m.started).toHaveLength(5);
    m.scheduler.close();
  });

  it('weighs units against a token budget, and a lighter later unit does not overtake a heavy one', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { llm: { tokens: { limit: 1_000, per: 'second' } } } });
    m.scheduler.push(unit('a', { pool: 'llm', weight: 600 }));
    m.scheduler.push(unit('heavy', { pool: 'llm', weight: 900 }));
    m.scheduler.push(unit('light', { pool: 'llm', weight: 100 }));
    expect(m.started).toEqual(['a']);
    vi.advanceTimersByTime(499);
    expect(m.started).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(m.started).toEqual(['a', 'heavy']);
    vi.advanceTimersByTime(100);
    expect(m.started).toEqual(['a', 'heavy', 'light']);
    m.scheduler.close();
  });

  it('lets a unit heavier than the whole budget through instead of waiting forever', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { llm: { tokens: { limit: 100, per: 'second' } } } });
    m.scheduler.push(unit('huge', { pool: 'llm', weight: 500 }));
    m.scheduler.push(unit('next', { pool: 'llm', weight: 100 }));
    expect(m.started).toEqual(['huge']);
    vi.advanceTimersByTime(5_000);
    expect(m.started).toEqual(['huge', 'next']);
    m.scheduler.close();
  });

  it('does not hold up units outside the rate-limited pool', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { api: { rate: { limit: 1, per: 'hour' } } } });
    m.scheduler.push(unit('api0', { pool: 'api', priority: 5 }));
    m.scheduler.push(unit('api1', { pool: 'api', priority: 5 }));
    m.scheduler.push(unit('local'));
    expect(m.started).toEqual(['api0', 'local']);
    m.scheduler.close();
  });

  it('close() clears the rate timers it armed', () => {
    vi.useFakeTimers({ now: 0 });
    const m = manual({ concurrency: 10, pools: { api: { rate: { limit: 1, per: 'minute' } } } });
    units(3, { pool: 'api' }).forEach((u) => m.scheduler.push(u));
    expect(vi.getTimerCount()).toBe(1);
    m.scheduler.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createScheduler: breaker', () => {
  it('opens after N failures, fails fast while open, half-opens after the cooldown with one trial', () => {
    let now = 0;
    const m = manual({ concurrency: 10, now: () => now, pools: { ai: { breaker: { failures: 2, cooldownMs: 1_000 } } } });
    m.scheduler.push(unit('f1', { pool: 'ai' }));
    m.scheduler.push(unit('f2', { pool: 'ai' }));
    m.scheduler.done('f1', { ok: false });
    m.scheduler.done('f2', { ok: false });

    m.scheduler.push(unit('fast', { pool: 'ai', locks: ['k'] }));
    expect(m.infos.get('fast')).toEqual({ circuitOpen: true });
    // Failing fast holds no lock: another unit on the key is not held up by it.
    m.scheduler.push(unit('other-on-k', { locks: ['k'] }));
    expect(m.started).toContain('other-on-k');
    m.scheduler.done('fast', { ok: false });

    now = 1_000;
    m.scheduler.push(unit('trial', { pool: 'ai' }));
    m.scheduler.push(unit('after-trial', { pool: 'ai' }));
    expect(m.infos.get('trial')).toEqual({ circuitOpen: false });
    expect(m.started).not.toContain('after-trial');
    m.scheduler.done('trial', { ok: true });
    expect(m.infos.get('after-trial')).toEqual({ circuitOpen: false });
  });

  it('fails fast the units waiting for the trial when the trial fails', () => {
    let now = 0;
    const m = manual({ concurrency: 10, now: () => now, pools: { ai: { breaker: { failures: 1, cooldownMs: 500 } } } });
    m.scheduler.push(unit('f', { pool: 'ai' }));
    m.scheduler.done('f', { ok: false });
    now = 500;
    units(3, { pool: 'ai' }, 'w').forEach((u) => m.scheduler.push(u));
    expect(m.started).toEqual(['f', 'w0']);
    m.scheduler.done('w0', { ok: false });
    expect(m.started).toEqual(['f', 'w0', 'w1', 'w2']);
    expect(m.infos.get('w1')).toEqual({ circuitOpen: true });
    expect(m.infos.get('w2')).toEqual({ circuitOpen: true });
  });
});

describe('createScheduler: skipped units', () => {
  it('a skipped unit tells the breaker nothing, and a skipped trial lets the next unit be the trial', () => {
    let now = 0;
    const m = manual({ concurrency: 10, now: () => now, pools: { ai: { breaker: { failures: 2, cooldownMs: 100 } } } });
    m.scheduler.push(unit('f1', { pool: 'ai' }));
    m.scheduler.push(unit('skip', { pool: 'ai' }));
    m.scheduler.push(unit('f2', { pool: 'ai' }));
    m.scheduler.done('f1', { ok: false });
    // Had this counted as a success, the two failures would not be consecutive.
    m.scheduler.done('skip', { ok: true, skipped: true });
    m.scheduler.done('f2', { ok: false });
    m.scheduler.push(unit('fast', { pool: 'ai' }));
    expect(m.infos.get('fast')).toEqual({ circuitOpen: true });
    m.scheduler.done('fast', { ok: false });

    now = 100;
    m.scheduler.push(unit('trial', { pool: 'ai' }));
    m.scheduler.push(unit('next', { pool: 'ai' }));
    expect(m.started.at(-1)).toBe('trial');
    m.scheduler.done('trial', { ok: true, skipped: true });
    expect(m.started.at(-1)).toBe('next');
    expect(m.infos.get('next')).toEqual({ circuitOpen: false });
  });
});

describe('createScheduler: adaptive pools', () => {
  it('halves on overload, grows back with successes, never above the pool limit', () => {
    const m = manual({ concurrency: 20, pools: { ai: { concurrency: 4, adaptive: true } } });
    units(40, { pool: 'ai' }).forEach((u) => m.scheduler.push(u));
    expect(m.scheduler.running()).toBe(4);
    // One 429 and the three calls of the same window: the limit halves once, to 2.
    m.scheduler.done('u0', { ok: false, overloaded: true });
    m.scheduler.done('u1', { ok: false, overloaded: true });
    expect(m.scheduler.running()).toBe(2);

    const finished = new Set(['u0', 'u1']);
    let maxRunning = 0;
    while (m.scheduler.running() > 0) {
      maxRunning = Math.max(maxRunning, m.scheduler.running());
      const id = m.started.find((s) => !finished.has(s))!;
      finished.add(id);
      m.scheduler.done(id, { ok: true });
    }
    // Grew back to the pool's limit with successes, and never past it.
    expect(maxRunning).toBe(4);
    expect(m.started).toHaveLength(40);
  });

  it('slows down before a 429 when headroom runs low', () => {
    const m = manual({ concurrency: 20, pools: { ai: { concurrency: 8, adaptive: true } } });
    units(20, { pool: 'ai' }).forEach((u) => m.scheduler.push(u));
    m.scheduler.done('u0', { ok: true, rateLimitRemaining: 0.5 });
    expect(m.scheduler.running()).toBe(8);
    // 5% left: the limit drops from 8 to 4. Running calls finish; no new one starts above 4.
    m.scheduler.done('u1', { ok: true, rateLimitRemaining: 0.05 });
    expect(m.scheduler.running()).toBe(7);
    for (const id of ['u2', 'u3', 'u4']) m.scheduler.done(id, { ok: true });
    expect(m.scheduler.running()).toBe(4);
    expect(m.started).toHaveLength(9);
  });
});

describe('createScheduler: re-entrancy and lifecycle', () => {
  it('survives start calling done and push synchronously', () => {
    const order: string[] = [];
    let pushed = 0;
    const scheduler: Scheduler = createScheduler({
      concurrency: 2,
      groups: { g: 1 },
      start(u) {
        order.push(u.id);
        if (pushed < 5) scheduler.push(unit(`child${pushed++}`, { group: 'g' }));
        scheduler.done(u.id, { ok: true });
      },
    });
    scheduler.push(unit('root', { group: 'g' }));
    expect(order).toEqual(['root', 'child0', 'child1', 'child2', 'child3', 'child4']);
    expect(scheduler.idle()).toBe(true);
    expect(scheduler.running()).toBe(0);
    expect(scheduler.waiting()).toBe(0);
  });

  it('cancel and drain drop waiting units, and a cancelled lock waiter frees its place', () => {
    const m = manual({ concurrency: 1 });
    m.scheduler.push(unit('run', { locks: ['x'] }));
    m.scheduler.push(unit('a'));
    m.scheduler.push(unit('b'));
    m.scheduler.push(unit('c'));
    expect(m.scheduler.cancel('a')).toBe(true);
    expect(m.scheduler.cancel('run')).toBe(false);
    expect(m.scheduler.drain().map((u) => u.id).sort()).toEqual(['b', 'c']);
    m.scheduler.done('run', { ok: true });
    expect(m.started).toEqual(['run']);
    expect(m.scheduler.idle()).toBe(true);

    const l = manual({ concurrency: 4 });
    l.scheduler.push(unit('holds-x', { locks: ['x'] }));
    l.scheduler.push(unit('multi', { locks: ['x', 'y'] }));
    l.scheduler.push(unit('on-y', { locks: ['y'] }));
    expect(l.started).toEqual(['holds-x']);
    l.scheduler.cancel('multi');
    expect(l.started).toEqual(['holds-x', 'on-y']);
  });

  it('reports misuse with stable codes', () => {
    const m = manual({ concurrency: 1 });
    expect(() => m.scheduler.push(unit('x', { pool: 'nope' }))).toThrow(expect.objectContaining({ code: 'UNKNOWN_POOL' }));
    expect(() => m.scheduler.done('ghost', { ok: true })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    m.scheduler.push(unit('x'));
    expect(() => m.scheduler.push(unit('x'))).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => createScheduler({ concurrency: 0, start() {} })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe('createScheduler: scale', () => {
  it('runs 100,000 instances through a group of 4 without rescanning the parked ones', async () => {
    const n = 100_000;
    let inGroup = 0;
    let maxInGroup = 0;
    let completed = 0;
    let freeStarted = false;
    let pushedAll = false;
    let settle: () => void = () => {};
    const allDone = new Promise<void>((resolve) => (settle = resolve));
    const scheduler: Scheduler = createScheduler({
      concurrency: 8,
      groups: { each: 4 },
      start(u) {
        if (u.group !== 'each') {
          freeStarted = true;
          return scheduler.done(u.id, { ok: true });
        }
        maxInGroup = Math.max(maxInGroup, ++inGroup);
        // Half finish inside start (re-entrant), half on a later turn.
        const finish = () => {
          inGroup--;
          completed++;
          scheduler.done(u.id, { ok: true });
          if (pushedAll && scheduler.idle()) settle();
        };
        if (completed % 2 === 0) finish();
        else setImmediate(finish);
      },
    });
    for (let i = 0; i < n; i++) scheduler.push({ id: `each[${i}]`, priority: 1, group: 'each' });
    // Pushed behind 100,000 parked units with a lower priority: it still starts at once.
    scheduler.push({ id: 'free', priority: 0 });
    expect(freeStarted).toBe(true);
    pushedAll = true;
    await allDone;
    expect(completed).toBe(n);
    expect(maxInGroup).toBe(4);
    // How fast this is (an O(n^2) rescan would take minutes) is measured by `npm run bench`
    // (forEach of 100,000), not asserted here.
  });
});

describe('createScheduler: chains', () => {
  /** A scheduler whose started units wait for the test to call done; records each start's chain. */
  function manual(options: Options) {
    const started: Array<{ id: string; chain: StartInfo['chain'] }> = [];
    const scheduler = createScheduler({ ...options, start: (u, info) => started.push({ id: u.id, chain: info.chain }) });
    return { scheduler, started, ids: () => started.map((s) => s.id) };
  }

  it('gives chainable units that are ready together one slot, freed once every one is done', () => {
    const { scheduler, started, ids } = manual({ concurrency: 1, chainLength: () => 3 });
    // The first starts alone: it is the only one ready when pushed.
    scheduler.push(unit('a', { chainable: true }));
    for (const id of ['b', 'c', 'd', 'e']) scheduler.push(unit(id, { chainable: true }));
    expect(ids()).toEqual(['a']);
    expect(started[0]!.chain).toBeUndefined();
    scheduler.done('a', { ok: true });
    expect(ids()).toEqual(['a', 'b', 'c', 'd']);
    const chain = started[1]!.chain;
    expect(chain).toEqual({ open: 3 });
    expect(started[2]!.chain).toBe(chain);
    expect(started[3]!.chain).toBe(chain);
    expect(scheduler.running()).toBe(1);
    scheduler.done('c', { ok: true });
    scheduler.done('b', { ok: true });
    expect(ids()).toHaveLength(4);
    scheduler.done('d', { ok: true });
    expect(ids()).toEqual(['a', 'b', 'c', 'd', 'e']);
    scheduler.done('e', { ok: true });
    expect(scheduler.idle()).toBe(true);
  });

  it('stops a chain at the first ready unit that cannot join it, so nothing runs ahead of it', () => {
    const { scheduler, ids } = manual({ concurrency: 1, chainLength: () => 8, groups: { g: 4 } });
    scheduler.push(unit('first'));
    scheduler.push(unit('c1', { chainable: true, priority: 5 }));
    scheduler.push(unit('c2', { chainable: true, priority: 4 }));
    scheduler.push(unit('plain', { priority: 3 }));
    scheduler.push(unit('c3', { chainable: true, priority: 2 }));
    scheduler.push(unit('grouped', { chainable: true, group: 'g', priority: 1 }));
    scheduler.done('first', { ok: true });
    expect(ids()).toEqual(['first', 'c1', 'c2']);
    scheduler.done('c1', { ok: true });
    scheduler.done('c2', { ok: true });
    expect(ids()).toEqual(['first', 'c1', 'c2', 'plain']);
    scheduler.done('plain', { ok: true });
    // A unit with a group (or a pool, or locks) never shares its slot.
    expect(ids()).toEqual(['first', 'c1', 'c2', 'plain', 'c3']);
    scheduler.done('c3', { ok: true });
    expect(ids().at(-1)).toBe('grouped');
  });

  it('chains nothing while chainLength says 1, and follows it as it changes', () => {
    let length = 1;
    const { scheduler, ids } = manual({ concurrency: 1, chainLength: () => length });
    for (const id of ['a', 'b', 'c', 'd']) scheduler.push(unit(id, { chainable: true }));
    scheduler.done('a', { ok: true });
    expect(ids()).toEqual(['a', 'b']);
    length = 2;
    scheduler.done('b', { ok: true });
    expect(ids()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drain leaves chained units running; each may still end through done', () => {
    const { scheduler, ids } = manual({ concurrency: 1, chainLength: () => 2 });
    for (const id of ['a', 'b', 'c', 'd']) scheduler.push(unit(id, { chainable: true }));
    scheduler.done('a', { ok: true });
    expect(ids()).toEqual(['a', 'b', 'c']);
    expect(scheduler.drain().map((u) => u.id)).toEqual(['d']);
    expect(scheduler.cancel('b')).toBe(false);
    scheduler.done('b', { ok: true });
    scheduler.done('c', { ok: true });
    expect(scheduler.idle()).toBe(true);
  });
});
