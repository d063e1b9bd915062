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
  signal: AbortSignal | undefined;
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
  const { url, pipeline } = options;
  const redis = await connectRedis(url);
  const connection = redisOptionsFor(url);
  const prefix = projectPrefix(pipeline.root, pipeline.config.file);
  const keys = registryKeys(prefix);
  const runToken = randomBytes(6).toString('hex');
  const nonce = newSecretNonce();
  const specs = new Map<string, TaskSpec>(Object.values(pipeline.tasks).map((t) => [t.id, t]));
  const lanes = new Map<string, Promise<Lane>>();
  const pending = new Map<string, Pending>();
  // Calls in flight per queue, to place each new job on the least loaded queue that fits.
  const inflight = new Map<string, number>();
  const inflightOf = (name: string) => inflight.get(name) ?? 0;
  let secretNames: string[] = [];
  let live: WorkerInfo[] = await listWorkers(redis, prefix);
  let lost: ErrorData | undefined;
  let lostTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let seq = 0;

  // A lost connection is retried by ioredis; only one that stays lost fails the run's attempts.
  redis.on('close', () => {
    if (!closed) lostTimer ??= setTimeout(markLost, LOST_AFTER_MS);
  });
  redis.on('ready', () => {
    clearTimeout(lostTimer);
    lostTimer = undefined;
  });

  function markLost(): void {
    lost = { code: 'QUEUE_UNREACHABLE', message: `lost the connection to Redis at ${displayUrl(url)} during the run` };
    for (const p of [...pending.values()]) finish(p, { ok: false, error: lost });
  }

  const watcher = setInterval(() => void watch(), WATCH_MS);
  watcher.unref();

  async function watch(): Promise<void> {
    if (lost || closed) return;
    try {
      live = await listWorkers(redis, prefix);
    } catch {
      return;
    }
    const served = new Set(live.map((w) => w.queue));
    const now = Date.now();
    for (const p of [...pending.values()]) {
      if (!served.has(p.lane.name)) void workerGone(p);
      else if (now - p.lastEventAt > SILENT_MS) void lookUp(p);
    }
  }

  /** Every worker of the job's queue is gone: take the job back (or tell its worker to stop) and re-run it. */
  async function workerGone(p: Pending): Promise<void> {
    const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
    if (!removed) await publishCancel(p.jobId, { code: 'WORKER_LOST', message: 'no live worker serves this queue' });
    finish(p, { ok: false, error: workerLost(p.taskId) });
  }

  /** No news of a job for a while: if it is gone from Redis, its end event was missed; run it again. */
  async function lookUp(p: Pending): Promise<void> {
    p.lastEventAt = Date.now();
    const state = await p.lane.queue.getJobState(p.jobId).catch(() => undefined);
    if (state === 'unknown' && pending.get(p.jobId) === p) finish(p, { ok: false, error: workerLost(p.taskId) });
  }

  function openLane(name: string): Promise<Lane> {
    let lane = lanes.get(name);
    if (!lane) {
      lane = createLane(name);
      lanes.set(name, lane);
    }
    return lane;
  }

  async function createLane(name: string): Promise<Lane> {
    const queue = new Queue(name, { connection, prefix });
    // Read from the stream's current end: older events belong to other runs.
    const lastEventId = await lastStreamId(redis, `${prefix}:${name}:events`);
    const events = new QueueEvents(name, { connection, prefix, lastEventId });
    const lane: Lane = { name, queue, events, outbox: [] };
    // Connection errors surface as `lost` above; an 'error' without a listener would crash.
    queue.on('error', () => {});
    events.on('error', () => {});
    events.on('completed', ({ jobId, returnvalue }) => {
      const p = pending.get(jobId);
      if (p) finish(p, returnvalue as unknown as QueueResult);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const p = pending.get(jobId);
      if (!p) return;
      const stalled = /stalled/i.test(failedReason);
      finish(p, { ok: false, error: stalled ? workerLost(p.taskId) : { code: 'TASK_FAILED', message: `worker failed: ${failedReason}` } });
    });
    events.on('progress', ({ jobId, data }) => {
      const p = pending.get(jobId);
      if (!p) return;
      p.lastEventAt = Date.now();
      for (const [stream, line] of (data as LogBatch).logs ?? []) p.onLog?.(stream, line);
    });
    events.on('stalled', ({ jobId }) => {
      const p = pending.get(jobId);
      // maxStalledCount 0: the job is back in wait marked to fail; take it out and re-run it now.
      if (p) void lane.queue.remove(jobId).then((n) => n === 1 && finish(p, { ok: false, error: workerLost(p.taskId) }), () => {});
    });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return lane;
  }

  /** No live worker fits: workers may be starting or reconnecting, so look again for a few seconds. */
  async function waitForWorker(runsOn: readonly string[]): Promise<string | undefined> {
    const deadline = Date.now() + WAIT_FOR_WORKER_MS;
    for (;;) {
      refreshing ??= listWorkers(redis, prefix).finally(() => (refreshing = undefined));
      live = await refreshing.catch(() => live);
      const name = chooseQueue(live, runsOn, inflightOf);
      if (name || Date.now() > deadline || closed || lost) return name;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  let refreshing: Promise<WorkerInfo[]> | undefined;

  async function call(entry: ExecutorEntry, input: unknown, batch: boolean, ctx: CallContext, opts: PoolRunOptions = {}): Promise<unknown> {
    if (closed) throw new WeftError('TASK_CANCELLED', 'the executor pool is closed');
    if (lost) throw fromErrorData(lost);
    if (opts.signal?.aborted) throw fromErrorData(abortReasonToData(opts.signal.reason));
    const spec = specOf(ctx.taskId);
    const runsOn = spec?.runsOn ?? [];
    const name = chooseQueue(live, runsOn, inflightOf) ?? (await waitForWorker(runsOn));
    if (!name) throw new WeftError('NO_WORKER', noWorkerMessage(ctx.taskId, runsOn, live));
    const data = jobData(entry, input, batch, ctx, spec);
    const tooBig = payloadTooLarge(data, `the input of task ${ctx.taskId}`);
    if (tooBig) throw fromErrorData(tooBig);
    const lane = await openLane(name);
    inflight.set(name, inflightOf(name) + 1);
    const jobId = `${runToken}.${++seq}`;
    return new Promise((resolve, reject) => {
      const p: Pending = { jobId, taskId: ctx.taskId, lane, resolve, reject, onLog: opts.onLog, signal: opts.signal, lastEventAt: Date.now() };
      pending.set(jobId, p);
      if (opts.signal) {
        p.onAbort = () => void abort(p);
        opts.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      enqueue(lane, p, data);
    });
  }

  /**
   * Jobs the scheduler starts together (a fan-out's ready instances) go to Redis in one addBulk
   * at the end of the tick: one round trip instead of one per job.
   */
  function enqueue(lane: Lane, p: Pending, data: QueueJob): void {
    lane.outbox.push({ p, data });
    if (lane.outbox.length > 1) return;
    setImmediate(() => {
      // A call that ended meanwhile (aborted before its job left) is not sent at all.
      const batch = lane.outbox.splice(0).filter(({ p }) => pending.get(p.jobId) === p);
      if (!batch.length) return;
      lane.queue
        .addBulk(batch.map(({ p, data }) => ({ name: 'attempt', data, opts: { jobId: p.jobId, removeOnComplete: true, removeOnFail: true } })))
        .catch((error: unknown) => {
          for (const { p } of batch) {
            finish(p, { ok: false, error: lost ?? { code: 'QUEUE_UNREACHABLE', message: `could not queue task ${p.taskId}: ${(error as Error).message}` } });
          }
        });
    });
  }

  function jobData(entry: ExecutorEntry, input: unknown, batch: boolean, ctx: CallContext, spec: TaskSpec | undefined): QueueJob {
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
      env: envOverlay(ctx.env, spec),
      secrets: secretNames,
      nonce,
      logs: true,
    };
    if (ctx.model !== undefined) data.model = ctx.model;
    if (ctx.timeoutMs !== undefined) data.timeoutMs = ctx.timeoutMs;
    return data;
  }

  // Only what the pipeline and the task set travel: the coordinator's own environment (its
  // credentials among it) stays here, and the worker runs with its own.
  function envOverlay(env: Record<string, string> | undefined, spec: TaskSpec | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of [...Object.keys(pipeline.env), ...Object.keys(spec?.env ?? {})]) {
      const value = env?.[key] ?? pipeline.env[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  function specOf(taskId: string): TaskSpec | undefined {
    return specs.get(taskId) ?? specs.get(taskId.replace(/\[\d+\]$/, ''));
  }

  /** The caller gave up: a job still waiting is removed, a running one is told to stop. */
  async function abort(p: Pending): Promise<void> {
    const reason = abortReasonToData(p.signal!.reason);
    if (p.lane.outbox.some((o) => o.p === p)) return finish(p, { ok: false, error: reason });
    p.graceTimer = setTimeout(() => finish(p, { ok: false, error: reason }), GRACE_MS);
    const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
    if (removed === 1) finish(p, { ok: false, error: reason });
    else await publishCancel(p.jobId, reason);
  }

  async function publishCancel(jobId: string, reason: ErrorData): Promise<void> {
    await redis.publish(keys.cancel, JSON.stringify({ jobId, reason } satisfies CancelMessage)).catch(() => {});
  }

  function finish(p: Pending, result: QueueResult): void {
    if (pending.get(p.jobId) !== p) return;
    pending.delete(p.jobId);
    inflight.set(p.lane.name, inflightOf(p.lane.name) - 1);
    clearTimeout(p.graceTimer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    // As in the local pool: an aborted call rejects with its abort reason, whatever came back.
    if (p.signal?.aborted) p.reject(fromErrorData(abortReasonToData(p.signal.reason)));
    else if (result.ok) p.resolve(result.value);
    else p.reject(fromErrorData(result.error));
  }

  return {
    get workers() {
      return Math.max(1, live.reduce((sum, w) => sum + w.concurrency, 0));
    },
    placeholdSecrets(names) {
      secretNames = [...new Set(names)];
      return placeholdSecrets(secretNames, nonce);
    },
    run: (entry, withValues, ctx, opts) => call(entry, withValues, false, ctx, opts),
    runBatch: (entry, items, ctx, opts) => call(entry, items, true, ctx, opts) as Promise<BatchItemResult[]>,
    async destroy() {
      if (closed) return;
      closed = true;
      clearInterval(watcher);
      clearTimeout(lostTimer);
      await cancelPending();
      await closeAll([...lanes.values()], redis);
    },
  };

  /** At close, nothing of the run stays queued or running: remove waiting jobs, stop running ones. */
  async function cancelPending(): Promise<void> {
    const reason: ErrorData = { code: 'TASK_CANCELLED', message: 'the executor pool is closed' };
    const left = [...pending.values()];
    if (!left.length || lost) {
      for (const p of left) finish(p, { ok: false, error: lost ?? reason });
      return;
    }
    await Promise.all(
      left.map(async (p) => {
        const removed = await p.lane.queue.remove(p.jobId).catch(() => 0);
        if (!removed) await publishCancel(p.jobId, reason);
        finish(p, { ok: false, error: reason });
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
