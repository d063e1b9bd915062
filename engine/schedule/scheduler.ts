// The ready queue. Units whose needs are met are pushed; the highest-priority one starts as
// soon as it holds every slot it needs. A unit that cannot start parks in the queue of what
// blocks it (its group, its pool, its lock keys) and comes back only when that frees, so it
// neither blocks unrelated units nor gets rescanned on every event: 100,000 instances behind
// a group of 4 cost O(n log n). Knows nothing of YAML, templates or executors.
import { WeftError } from '../errors.js';
import { Heap } from './heap.js';
import { createLockManager } from './limits/locks.js';
import { createSemaphore, type Semaphore } from './limits/semaphore.js';
import {
  BLOCKED,
  createPoolLimits,
  releasePool,
  takePool,
  waitFor,
  type Outcome,
  type PoolLimits,
  type PoolTicket,
} from './pool-limits.js';
import type { PoolSpec } from '../types.js';

export type { Outcome } from './pool-limits.js';

/** One schedulable piece of work: a task, or one instance of a forEach task. */
export type Unit = {
  id: string;
  /** Higher starts first among ready units; ties go in push order. */
  priority: number;
  /** Concurrency group (`groups` option), e.g. the task id shared by its forEach instances. */
  group?: string | undefined;
  /** A pool named in the `pools` option. */
  pool?: string | undefined;
  /** Resource keys: units sharing a key never run at the same time. */
  locks?: readonly string[] | undefined;
  /** What the unit takes from its pool's token budget (`pools.*.tokens`), e.g. an llm call's token estimate. */
  weight?: number | undefined;
  /**
   * It may share one run-wide slot with the chainable units started with it, running one after
   * another (see SchedulerOptions.chainLength). Ignored for a unit with a group, a pool or locks.
   */
  chainable?: boolean | undefined;
};

export type StartInfo = {
  /** The unit's pool has its breaker open: fail the unit fast with CIRCUIT_OPEN. It holds no pool slot or lock. */
  circuitOpen: boolean;
  /**
   * Units started with the same chain share one run-wide slot: they must run one after another,
   * in the order started. The slot is free once every one of them is done.
   */
  chain?: Chain;
};

/** Units sharing one run-wide slot; `open` counts those not done yet. */
export type Chain = { open: number };

export type SchedulerOptions = {
  /** Most units running at once, run-wide. */
  concurrency: number;
  /** Most units of a group running at once; a group not listed is unlimited. */
  groups?: Record<string, number>;
  pools?: Record<string, PoolSpec>;
  /**
   * Called when the unit holds every slot it needs. It may call `push`, `done` or `cancel`
   * synchronously. It must not throw; report a failure with `done(unit.id, { ok: false })`.
   */
  start: (unit: Unit, info: StartInfo) => void;
  /** Clock for rate limits and breaker cooldowns (default Date.now). */
  now?: () => number;
  /**
   * How many chainable units may share a slot right now (default 1: none). A chain takes the
   * highest-priority ready units in order and stops at the first that is not chainable, so it
   * never runs one ahead of a unit that outranks it.
   */
  chainLength?: () => number;
};

export interface Scheduler {
  /** The unit's needs are met: it is ready. Its id must not be waiting or running already. */
  push(unit: Unit): void;
  /**
   * The unit finished: frees its slots and feeds its pool's breaker and adaptive limit (unless
   * `outcome.skipped`: a unit that did not run tells them nothing). A task
   * retrying after a backoff calls `done` and pushes the unit again when the delay is over,
   * so a waiting retry holds no slot.
   */
  done(unitId: string, outcome: Outcome): void;
  /** Drops a unit that has not started. False when it is running or unknown. */
  cancel(unitId: string): boolean;
  /** Drops every unit that has not started (fail fast), returning them. */
  drain(): Unit[];
  setConcurrency(concurrency: number): void;
  /** Nothing running and nothing waiting. */
  idle(): boolean;
  running(): number;
  waiting(): number;
  /** Clears the rate-limit timers; nothing starts afterwards. */
  close(): void;
}

type Where = 'ready' | 'parked' | 'locks' | 'running' | 'gone';

type Entry = {
  readonly unit: Unit;
  readonly priority: number;
  readonly seq: number;
  readonly weight: number;
  readonly group: Lane | undefined;
  readonly pool: Lane | undefined;
  where: Where;
  /** The lane that woke this unit; it passes the wake on once it has started or parked elsewhere. */
  wokenBy: Lane | undefined;
  circuitOpen: boolean;
  ticket: PoolTicket | undefined;
  chain: Chain | undefined;
};

/** A group or a pool, with the units parked until it has room. */
type Lane = {
  readonly parked: Heap<Entry>;
  readonly slots: Semaphore | undefined;
  readonly pool: PoolLimits | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerAt: number;
};

const before = (a: Entry, b: Entry): boolean => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);

/**
 * A ready-queue scheduler over run-wide concurrency, groups, pools and lock keys.
 * @example
 * const scheduler = createScheduler({
 *   concurrency: 4,
 *   groups: { fix: 2 },
 *   pools: { api: { concurrency: 3, rate: { limit: 10, per: 'second' } } },
 *   start(unit, { circuitOpen }) {
 *     runSomehow(unit, circuitOpen).then((ok) => scheduler.done(unit.id, { ok }));
 *   },
 * });
 * scheduler.push({ id: 'fix[0]', priority: 1, group: 'fix', pool: 'api', locks: ['file:a.ts'] });
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  return new ReadyQueue(options);
}

class ReadyQueue implements Scheduler {
  private concurrency: number;
  private readonly start: SchedulerOptions['start'];
  private readonly clock: () => number;
  private readonly chainLength: () => number;
  private readonly ready = new Heap<Entry>(before);
  private readonly entries = new Map<string, Entry>();
  private readonly locks = createLockManager();
  private readonly groups = new Map<string, Lane>();
  private readonly pools = new Map<string, Lane>();
  private seq = 0;
  private active = 0;
  private waitingCount = 0;
  private pumping = false;
  private closed = false;

  constructor(options: SchedulerOptions) {
    this.concurrency = checkConcurrency(options.concurrency);
    this.start = options.start;
    this.clock = options.now ?? Date.now;
    this.chainLength = options.chainLength ?? (() => 1);
    for (const [name, limit] of Object.entries(options.groups ?? {})) {
      this.groups.set(name, lane(createSemaphore(limit), undefined));
    }
    for (const [name, spec] of Object.entries(options.pools ?? {})) {
      const limits = createPoolLimits(name, spec, this.concurrency);
      this.pools.set(name, lane(limits.slots, limits));
    }
  }

  // Starts ready units while run-wide slots last. Re-entrant calls (start → done → pump) return
  // at once: the loop below re-reads the state on every turn, so it picks up their changes.
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (this.active < this.concurrency) {
        const entry = this.ready.pop();
        if (!entry) break;
        if (entry.where !== 'ready') continue;
        if (chains(entry)) this.beginChain(entry);
        else this.admit(entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private admit(entry: Entry): void {
    const now = this.clock();
    const { group, pool } = entry;
    const limits = pool?.pool;
    if (limits?.breaker?.check(now) === 'fail') return this.begin(entry, true);
    if (group && !group.slots!.hasRoom()) return this.park(entry, group);
    if (pool && limits) {
      // A pool serves its parked units in order: a later unit must not take the tokens a
      // heavier, earlier one is saving up for.
      const head = this.liveTop(pool);
      if (head && before(head, entry)) return this.park(entry, pool);
      const wait = waitFor(limits, entry.weight, now);
      if (wait !== 0) {
        this.park(entry, pool);
        if (wait > 0) this.armTimer(pool, wait);
        return;
      }
    }
    const keys = entry.unit.locks;
    if (keys && keys.length > 0 && !this.locks.tryAcquire(entry.unit.id, keys)) {
      entry.where = 'locks';
      return this.passWake(entry);
    }
    group?.slots!.tryAcquire();
    if (limits) entry.ticket = takePool(limits, entry.weight, now);
    this.begin(entry, false);
  }

  private begin(entry: Entry, circuitOpen: boolean): void {
    // Failing fast, the unit gives up its place in the lock queues it was waiting in.
    if (circuitOpen && this.locks.isQueued(entry.unit.id)) this.readmitLockWaiters(this.locks.cancel(entry.unit.id));
    entry.where = 'running';
    entry.circuitOpen = circuitOpen;
    this.active++;
    this.waitingCount--;
    this.passWake(entry);
    this.start(entry.unit, { circuitOpen });
  }

  /** The entry and the chainable ready entries after it, up to chainLength, on one slot. */
  private beginChain(first: Entry): void {
    const limit = this.chainLength();
    const members = [first];
    for (let next = this.ready.peek(); members.length < limit && next; next = this.ready.peek()) {
      if (next.where === 'ready' && !chains(next)) break;
      this.ready.pop();
      if (next.where === 'ready') members.push(next);
    }
    if (members.length === 1) return this.begin(first, false);
    const chain: Chain = { open: members.length };
    this.active++;
    // All running before any starts: a start may end units (or drain the queue) at once.
    for (const entry of members) {
      entry.where = 'running';
      entry.chain = chain;
      this.waitingCount--;
    }
    for (const entry of members) this.start(entry.unit, { circuitOpen: false, chain });
  }

  private park(entry: Entry, where: Lane): void {
    entry.where = 'parked';
    where.parked.push(entry);
    this.passWake(entry);
  }

  // A unit woken by a lane that did not use the lane's room (it parked elsewhere) or used it
  // and the lane may have more (a rate pool after a timer) wakes the lane's next unit. This
  // keeps "a lane with room and parked units has one of them on its way" true.
  private passWake(entry: Entry): void {
    const lane = entry.wokenBy;
    if (!lane) return;
    entry.wokenBy = undefined;
    this.wake(lane);
  }

  private wake(lane: Lane): void {
    const head = this.liveTop(lane);
    if (!head) return;
    if (lane.pool) {
      const wait = waitFor(lane.pool, head.weight, this.clock());
      if (wait > 0) return this.armTimer(lane, wait);
      if (wait === BLOCKED) return;
    } else if (!lane.slots!.hasRoom()) return;
    lane.parked.pop();
    head.where = 'ready';
    head.wokenBy = lane;
    this.ready.push(head);
  }

  private liveTop(lane: Lane): Entry | undefined {
    let head = lane.parked.peek();
    while (head && head.where !== 'parked') {
      lane.parked.pop();
      head = lane.parked.peek();
    }
    return head;
  }

  private readmitLockWaiters(ids: string[]): void {
    for (const id of ids) {
      const entry = this.entries.get(id);
      // Only units waiting on nothing but locks; one parked in a lane still keeps its place.
      if (entry?.where === 'locks') {
        entry.where = 'ready';
        this.ready.push(entry);
      }
    }
  }

  // A rate-limited pool has no release to wait for, only time: wake it when the head's tokens
  // are due. Not unref'd: pending work must keep the process alive. close() clears it.
  private armTimer(lane: Lane, delayMs: number): void {
    if (this.closed) return;
    const at = this.clock() + delayMs;
    if (lane.timer !== undefined) {
      if (lane.timerAt <= at) return;
      clearTimeout(lane.timer);
    }
    lane.timerAt = at;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.wake(lane);
      this.pump();
    }, delayMs);
  }

  private remove(entry: Entry): void {
    entry.where = 'gone';
    this.entries.delete(entry.unit.id);
    this.waitingCount--;
    if (this.locks.isQueued(entry.unit.id)) this.readmitLockWaiters(this.locks.cancel(entry.unit.id));
    this.passWake(entry);
  }


  push(unit: Unit): void {
    if (this.closed) throw new WeftError('INTERNAL', `scheduler is closed; cannot push ${unit.id}`);
    if (this.entries.has(unit.id)) throw new WeftError('INTERNAL', `unit ${unit.id} is already scheduled`);
    const pool = unit.pool === undefined ? undefined : this.pools.get(unit.pool);
    if (unit.pool !== undefined && !pool) throw new WeftError('UNKNOWN_POOL', `unit ${unit.id} uses unknown pool ${unit.pool}`);
    const entry: Entry = {
      unit,
      priority: unit.priority,
      seq: this.seq++,
      weight: unit.weight ?? 0,
      group: unit.group === undefined ? undefined : this.groups.get(unit.group),
      pool,
      where: 'ready',
      wokenBy: undefined,
      circuitOpen: false,
      ticket: undefined,
      chain: undefined,
    };
    this.entries.set(unit.id, entry);
    this.waitingCount++;
    this.ready.push(entry);
    this.pump();
  }

  done(unitId: string, outcome: Outcome): void {
    const entry = this.entries.get(unitId);
    if (!entry || entry.where !== 'running') throw new WeftError('INTERNAL', `unit ${unitId} is not running`);
    entry.where = 'gone';
    this.entries.delete(unitId);
    if (entry.chain && --entry.chain.open > 0) return;
    this.active--;
    if (!entry.circuitOpen) {
      const { group, pool } = entry;
      if (group) {
        group.slots!.release();
        this.wake(group);
      }
      if (pool?.pool && entry.ticket) {
        releasePool(pool.pool, entry.ticket, outcome, this.clock());
        this.wake(pool);
      }
      const keys = entry.unit.locks;
      if (keys && keys.length > 0) this.readmitLockWaiters(this.locks.release(unitId));
    }
    this.pump();
  }

  cancel(unitId: string): boolean {
    const entry = this.entries.get(unitId);
    if (!entry || entry.where === 'running') return false;
    this.remove(entry);
    this.pump();
    return true;
  }

  drain(): Unit[] {
    const dropped: Unit[] = [];
    for (const entry of [...this.entries.values()]) {
      if (entry.where === 'running') continue;
      this.remove(entry);
      dropped.push(entry.unit);
    }
    this.ready.clear();
    return dropped;
  }

  setConcurrency(next: number): void {
    this.concurrency = checkConcurrency(next);
    this.pump();
  }

  idle(): boolean {
    return this.active === 0 && this.waitingCount === 0;
  }

  running(): number {
    return this.active;
  }

  waiting(): number {
    return this.waitingCount;
  }

  close(): void {
    this.closed = true;
    for (const lane of this.pools.values()) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
    }
  }
}

/** A unit that may share its slot: chainable, and bound by nothing but the run-wide concurrency. */
function chains(entry: Entry): boolean {
  const { unit } = entry;
  return unit.chainable === true && !entry.group && !entry.pool && (unit.locks === undefined || unit.locks.length === 0);
}

function lane(slots: Semaphore | undefined, pool: PoolLimits | undefined): Lane {
  return { parked: new Heap<Entry>(before), slots, pool, timer: undefined, timerAt: 0 };
}

function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new WeftError('INTERNAL', `concurrency must be a positive integer, got ${n}`);
  return n;
}
