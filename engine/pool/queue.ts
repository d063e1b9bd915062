// The coordinator's side of `weft run --queue`: an ExecutorPool whose calls become BullMQ jobs
// that `weft worker` processes run. The run loop does not know the difference: scheduling, limits,
// locks, retries and timeouts stay decided on the coordinator, once, for every worker.
//
// Results come back on BullMQ's event stream (QueueEvents), so one blocking read per queue serves
// every call. A job is removed from Redis as soon as it ends (removeOnComplete/removeOnFail).
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { WeftError, fromErrorData } from '../errors.js';
import type { ExecutorEntry } from '../executor.js';
import type { ErrorData, Pipeline, TaskSpec } from '../types.js';
import type { CancelSignal } from './cancellation.js';
import type { BatchItemResult, CallContext, ExecutorPool, PoolRunOptions } from './local.js';
import { connectRedis, displayUrl, redisOptionsFor } from './queue-connection.js';
import {
  PROTOCOL_VERSION, payloadTooLarge, projectPrefix, queueNameFor, registryKeys,
  type CancelMessage, type LogBatch, type QueueJob, type QueueResult,
} from './queue-protocol.js';
import { listWorkers, type WorkerInfo } from './queue-registry.js';
import { chooseQueue, noWorkerMessage } from './queue-route.js';
import { newSecretNonce, placeholdSecrets } from './queue-secrets.js';
import { abortReasonToData } from './thread-errors.js';

/** How often the live-worker list is read, and pending jobs are checked against it. */
const WATCH_MS = 1000;
/** Redis gone this long during a run: the run's unfinished attempts fail (QUEUE_UNREACHABLE). */
const LOST_AFTER_MS = 5000;
/** After an abort, how long the worker may take to stop before the call is given up. */
const GRACE_MS = 5000;
/** How long a call waits for a live worker that can take it before it fails with NO_WORKER. */
const WAIT_FOR_WORKER_MS = 5000;
/** A job with no event for this long is looked up, in case its end event was trimmed away. */
const SILENT_MS = 10_000;

export type QueuePoolOptions = {
  /** redis://HOST:PORT */
  url: string;
  /** The pipeline the pool runs: its project names the queues, its tasks say `runsOn`. */
  pipeline: Pipeline;
};

/** An executor pool on remote workers. Secrets are resolved there: the run renders placeholders. */
export interface QueuePool extends ExecutorPool {
  /** The run's `secrets` scope: a placeholder per name, which each worker replaces from its own environment. */
  placeholdSecrets(names: Iterable<string>): Record<string, string>;
}

type Lane = { name: string; queue: Queue; events: QueueEvents; outbox: Array<{ p: Pending; data: QueueJob }> };

type Pending = {
  jobId: string;
  taskId: string;
  lane: Lane;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onLog: PoolRunOptions['onLog'];
  signal: CancelSignal | undefined;
  onAbort?: () => void;
  graceTimer?: NodeJS.Timeout;
  lastEventAt: number;
};

/**
 * Connect to the queue's Redis (QUEUE_UNREACHABLE, exit 2, when it does not answer) and return
 * a pool that sends each call to a live `weft worker` of the project.
 * @example
 * const pool = await createQueuePool({ url: 'redis://127.0.0.1:6379', pipeline });
 * const report = await runPipeline(pipeline, { pool });
 * await pool.destroy();
 */
export async function createQueuePool(options: QueuePoolOptions): Promise<QueuePool> {
  const redis = await connectRedis(options.url);
  const prefix = projectPrefix(options.pipeline.root, options.pipeline.config.file);
  const live = await listWorkers(redis, prefix);
  return new RemotePool(options, redis, prefix, live);
}

/**
 * The pool's state across calls. Methods handed to timers, event emitters or callers (the public
 * ones among them) are arrow properties: a method passed unbound would lose `this`.
 */
class RemotePool implements QueuePool {
  private readonly url: string;
  private readonly pipeline: Pipeline;
  private readonly connection: ReturnType<typeof redisOptionsFor>;
  private readonly keys: ReturnType<typeof registryKeys>;
  private readonly runToken = randomBytes(6).toString('hex');
  private readonly nonce = newSecretNonce();
  private readonly specs: Map<string, TaskSpec>;
  private readonly lanes = new Map<string, Promise<Lane>>();
  private readonly pending = new Map<string, Pending>();
  /** Calls in flight per queue, to place each new job on the least loaded queue that fits. */
  private readonly inflight = new Map<string, number>();
  private readonly watcher: NodeJS.Timeout;
  private secretNames: string[] = [];
  private lost: ErrorData | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<WorkerInfo[]> | undefined;
  private closed = false;
  private seq = 0;

  constructor(
    options: QueuePoolOptions,
    private readonly redis: Redis,
    private readonly prefix: string,
    private live: WorkerInfo[],
  ) {
    this.url = options.url;
    this.pipeline = options.pipeline;
    this.connection = redisOptionsFor(options.url);
    this.keys = registryKeys(prefix);
    this.specs = new Map<string, TaskSpec>(Object.values(options.pipeline.tasks).map((t) => [t.id, t]));
    // A lost connection is retried by ioredis; only one that stays lost fails the run's attempts.
    redis.on('close', () => {
      if (!this.closed) this.lostTimer ??= setTimeout(this.markLost, LOST_AFTER_MS);
    });
    redis.on('ready', () => {
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
    });
    this.watcher = setInterval(() => void this.watch(), WATCH_MS);
    this.watcher.unref();
  }

  get workers(): number {
    return Math.max(1, this.live.reduce((sum, w) => sum + w.concurrency, 0));
  }

  readonly placeholdSecrets = (names: Iterable<string>): Record<string, string> => {
    this.secretNames = [...new Set(names)];
    return placeholdSecrets(this.secretNames, this.nonce);
  };

  readonly run: ExecutorPool['run'] = (entry, withValues, ctx, opts) => this.call(entry, withValues, false, ctx, opts);

  readonly runBatch: ExecutorPool['runBatch'] = (entry, items, ctx, opts) =>
    this.call(entry, items, true, ctx, opts) as Promise<BatchItemResult[]>;

  readonly destroy = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watcher);
    clearTimeout(this.lostTimer);
    await this.cancelPending();
    await closeAll([...this.lanes.values()], this.redis);
  };

  private inflightOf(name: string): number {
    return this.inflight.get(name) ?? 0;
  }

  private readonly markLost = (): void => {
    this.lost = { code: 'QUEUE_UNREACHABLE', message: `lost the connection to Redis at ${displayUrl(this.url)} during the run` };
    for (const p of [...this.pending.values()]) this.finish(p, { ok: false, error: this.lost });
  };

  private async watch(): Promise<void> {
    if (this.lost || this.closed) return;
    try {
      this.live = await listWorkers(this.redis, this.prefix);
    } catch {
      return;
    }
    const served = new Set(this.live.map((w) => w.queue));
    const now = Date.now();
    for (const p of [...this.pending.values()]) {
      if (!served.has(p.lane.name)) void this.workerGone(p);
      else if (now - p.lastEventAt > SILENT_MS) void this.lookUp(p);
    }
  }

  /** Every worker of the job's queue is gone: take the job back (or tell its worker to stop) and re-run it. */
  private async workerGone(p: Pending): Promise<void> {
    const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
    if (!removed) await this.publishCancel(p.jobId, { code: 'WORKER_LOST', message: 'no live worker serves this queue' });
    this.finish(p, { ok: false, error: workerLost(p.taskId) });
  }

  /** No news of a job for a while: if it is gone from Redis, its end event was missed; run it again. */
  private async lookUp(p: Pending): Promise<void> {
    p.lastEventAt = Date.now();
    const state = await p.lane.queue.getJobState(p.jobId).catch(() => undefined);
    if (state === 'unknown' && this.pending.get(p.jobId) === p) this.finish(p, { ok: false, error: workerLost(p.taskId) });
  }

  private openLane(name: string): Promise<Lane> {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = this.createLane(name);
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private async createLane(name: string): Promise<Lane> {
    const { connection, prefix } = this;
    const queue = new Queue(name, { connection, prefix });
    // Read from the stream's current end: older events belong to other runs.
    const lastEventId = await lastStreamId(this.redis, `${prefix}:${name}:events`);
    const events = new QueueEvents(name, { connection, prefix, lastEventId });
    const lane: Lane = { name, queue, events, outbox: [] };
    // Connection errors surface as `lost` above; an 'error' without a listener would crash.
    queue.on('error', () => {});
    this.listenTo(lane);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return lane;
  }

  /** A lane's job events settle its pending calls and carry their log lines. */
  private listenTo(lane: Lane): void {
    const { events } = lane;
    events.on('error', () => {});
    events.on('completed', ({ jobId, returnvalue }) => {
      const p = this.pending.get(jobId);
      if (p) this.finish(p, returnvalue as unknown as QueueResult);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const p = this.pending.get(jobId);
      if (!p) return;
      const stalled = /stalled/i.test(failedReason);
      this.finish(p, { ok: false, error: stalled ? workerLost(p.taskId) : { code: 'TASK_FAILED', message: `worker failed: ${failedReason}` } });
    });
    events.on('progress', ({ jobId, data }) => {
      const p = this.pending.get(jobId);
      if (!p) return;
      p.lastEventAt = Date.now();
      for (const [stream, line] of (data as LogBatch).logs ?? []) p.onLog?.(stream, line);
    });
    events.on('stalled', ({ jobId }) => {
      const p = this.pending.get(jobId);
      // maxStalledCount 0: the job is back in wait marked to fail; take it out and re-run it now.
      if (p) void lane.queue.remove(jobId).then((n) => n === 1 && this.finish(p, { ok: false, error: workerLost(p.taskId) }), () => {});
    });
  }

  /** No live worker fits: workers may be starting or reconnecting, so look again for a few seconds. */
  private async waitForWorker(runsOn: readonly string[]): Promise<string | undefined> {
    const deadline = Date.now() + WAIT_FOR_WORKER_MS;
    for (;;) {
      this.refreshing ??= listWorkers(this.redis, this.prefix).finally(() => (this.refreshing = undefined));
      this.live = await this.refreshing.catch(() => this.live);
      const name = chooseQueue(this.live, runsOn, (n) => this.inflightOf(n));
      if (name || Date.now() > deadline || this.closed || this.lost) return name;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async call(entry: ExecutorEntry, input: unknown, batch: boolean, ctx: CallContext, opts: PoolRunOptions = {}): Promise<unknown> {
    if (this.closed) throw new WeftError('TASK_CANCELLED', 'the executor pool is closed');
    if (this.lost) throw fromErrorData(this.lost);
    if (opts.signal?.aborted) throw fromErrorData(abortReasonToData(opts.signal.reason));
    const spec = this.specOf(ctx.taskId);
    const runsOn = spec?.runsOn ?? [];
    const name = chooseQueue(this.live, runsOn, (n) => this.inflightOf(n)) ?? (await this.waitForWorker(runsOn));
    if (!name) throw new WeftError('NO_WORKER', noWorkerMessage(ctx.taskId, runsOn, this.live));
    const data = this.jobData(entry, input, batch, ctx, spec);
    const tooBig = payloadTooLarge(data, `the input of task ${ctx.taskId}`);
    if (tooBig) throw fromErrorData(tooBig);
    const lane = await this.openLane(name);
    this.inflight.set(name, this.inflightOf(name) + 1);
    const jobId = `${this.runToken}.${++this.seq}`;
    return new Promise((resolve, reject) => {
      const p: Pending = { jobId, taskId: ctx.taskId, lane, resolve, reject, onLog: opts.onLog, signal: opts.signal, lastEventAt: Date.now() };
      this.pending.set(jobId, p);
      if (opts.signal) {
        p.onAbort = () => void this.abort(p);
        opts.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.enqueue(lane, p, data);
    });
  }

  /**
   * Jobs the scheduler starts together (a fan-out's ready instances) go to Redis in one addBulk
   * at the end of the tick: one round trip instead of one per job.
   */
  private enqueue(lane: Lane, p: Pending, data: QueueJob): void {
    lane.outbox.push({ p, data });
    if (lane.outbox.length > 1) return;
    setImmediate(() => this.flush(lane));
  }

  private flush(lane: Lane): void {
    // A call that ended meanwhile (aborted before its job left) is not sent at all.
    const batch = lane.outbox.splice(0).filter(({ p }) => this.pending.get(p.jobId) === p);
    if (!batch.length) return;
    lane.queue
      .addBulk(batch.map(({ p, data }) => ({ name: 'attempt', data, opts: { jobId: p.jobId, removeOnComplete: true, removeOnFail: true } })))
      .catch((error: unknown) => {
        for (const { p } of batch) {
          this.finish(p, { ok: false, error: this.lost ?? { code: 'QUEUE_UNREACHABLE', message: `could not queue task ${p.taskId}: ${(error as Error).message}` } });
        }
      });
  }

  private jobData(entry: ExecutorEntry, input: unknown, batch: boolean, ctx: CallContext, spec: TaskSpec | undefined): QueueJob {
    const data: QueueJob = {
      v: PROTOCOL_VERSION,
      executor: entry.name,
      source: entry.source,
      input,
      batch,
      taskId: ctx.taskId,
      attempt: ctx.attempt,
      root: ctx.root,
      options: ctx.options,
      env: this.envOverlay(ctx.env, spec),
      secrets: this.secretNames,
      nonce: this.nonce,
      logs: true,
    };
    if (ctx.model !== undefined) data.model = ctx.model;
    if (ctx.timeoutMs !== undefined) data.timeoutMs = ctx.timeoutMs;
    return data;
  }

  // Only what the pipeline and the task set travel: the coordinator's own environment (its
  // credentials among it) stays here, and the worker runs with its own.
  private envOverlay(env: Record<string, string> | undefined, spec: TaskSpec | undefined): Record<string, string> {
    const { pipeline } = this;
    const out: Record<string, string> = {};
    for (const key of [...Object.keys(pipeline.env), ...Object.keys(spec?.env ?? {})]) {
      const value = env?.[key] ?? pipeline.env[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  private specOf(taskId: string): TaskSpec | undefined {
    return this.specs.get(taskId) ?? this.specs.get(taskId.replace(/\[\d+\]$/, ''));
  }

  /** The caller gave up: a job still waiting is removed, a running one is told to stop. */
  private async abort(p: Pending): Promise<void> {
    const reason = abortReasonToData(p.signal!.reason);
    if (p.lane.outbox.some((o) => o.p === p)) return this.finish(p, { ok: false, error: reason });
    p.graceTimer = setTimeout(() => this.finish(p, { ok: false, error: reason }), GRACE_MS);
    const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
    if (removed === 1) this.finish(p, { ok: false, error: reason });
    else await this.publishCancel(p.jobId, reason);
  }

  private async publishCancel(jobId: string, reason: ErrorData): Promise<void> {
    await this.redis.publish(this.keys.cancel, JSON.stringify({ jobId, reason } satisfies CancelMessage)).catch(() => {});
  }

  private finish(p: Pending, result: QueueResult): void {
    if (this.pending.get(p.jobId) !== p) return;
    this.pending.delete(p.jobId);
    this.inflight.set(p.lane.name, this.inflightOf(p.lane.name) - 1);
    clearTimeout(p.graceTimer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    // As in the local pool: an aborted call rejects with its abort reason, whatever came back.
    if (p.signal?.aborted) p.reject(fromErrorData(abortReasonToData(p.signal.reason)));
    else if (result.ok) p.resolve(result.value);
    else p.reject(fromErrorData(result.error));
  }

  /** At close, nothing of the run stays queued or running: remove waiting jobs, stop running ones. */
  private async cancelPending(): Promise<void> {
    const reason: ErrorData = { code: 'TASK_CANCELLED', message: 'the executor pool is closed' };
    const left = [...this.pending.values()];
    if (!left.length || this.lost) {
      for (const p of left) this.finish(p, { ok: false, error: this.lost ?? reason });
      return;
    }
    await Promise.all(
      left.map(async (p) => {
        const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
        if (!removed) await this.publishCancel(p.jobId, reason);
        this.finish(p, { ok: false, error: reason });
      }),
    );
  }
}

function workerLost(taskId: string): ErrorData {
  return { code: 'WORKER_LOST', message: `the worker running ${taskId} stopped answering (killed, or its machine gone)`, retryable: true };
}

/** The id of a stream's last entry, or '0-0' for an empty or missing stream. */
async function lastStreamId(redis: Redis, key: string): Promise<string> {
  const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
  return last[0]?.[0] ?? '0-0';
}

/** Close BullMQ's connections and ours; a Redis already gone must not keep the process waiting. */
async function closeAll(lanes: Array<Promise<Lane>>, redis: Redis): Promise<void> {
  const closing = Promise.allSettled(
    lanes.map(async (l) => {
      const lane = await l;
      await Promise.allSettled([lane.events.close(), lane.queue.close()]);
    }),
  );
  const timer = new Promise((resolve) => setTimeout(resolve, 2000).unref());
  await Promise.race([closing, timer]);
  redis.disconnect();
}
