// `weft worker`: takes attempts from the project's BullMQ queue and runs them on its own local
// Piscina pool, with the executors of its own registry (looked up by name and source, never by
// the coordinator's file paths) and the secrets of its own environment.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { WeftError, toErrorData } from '../errors.js';
import type { Registry } from '../load/registry.js';
import { createMasker, type Masker } from '../mask.js';
import type { ErrorData } from '../types.js';
import { createExecutorPool, type CallContext, type ExecutorPool } from './local.js';
import { connectRedis, redisOptionsFor } from './queue-connection.js';
import {
  PROTOCOL_VERSION, payloadTooLarge, projectPrefix, queueNameFor, registryKeys,
  type CancelMessage, type LogBatch, type QueueJob, type QueueResult,
} from './queue-protocol.js';
import { removeHeartbeat, writeHeartbeat, type WorkerInfo } from './queue-registry.js';
import { resolveSecrets } from './queue-secrets.js';

/** Log lines longer than this are cut: one runaway line must not fill Redis. */
const MAX_LINE = 16 * 1024;

export type QueueWorkerOptions = {
  url: string;
  /** The project: its root and config file name the queue, its registry runs the executors. */
  root: string;
  configFile: string | undefined;
  registry: Registry;
  /** Attempts run at once (BullMQ's worker concurrency). */
  concurrency: number;
  tags: string[];
  /**
   * How long a job's lock lasts without renewal (BullMQ lockDuration): a worker silent this long
   * is taken for dead, and its attempts run again elsewhere. Also the heartbeat's expiry.
   */
  stallTimeoutMs: number;
  /** Threads of the local pool (default: CPU count). */
  threads?: number;
  env: Record<string, string | undefined>;
};

export type QueueWorker = {
  readonly info: WorkerInfo;
  /** Take nothing new, let running attempts finish, leave the registry. */
  close(): Promise<void>;
};

/**
 * Start a worker: connected (QUEUE_UNREACHABLE, exit 2, when Redis does not answer), registered
 * and taking jobs when the promise resolves.
 * @example
 * const worker = await startQueueWorker({ url, root, configFile, registry, concurrency: 4, tags: [], stallTimeoutMs: 10_000, env: process.env });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { stallTimeoutMs } = options;
  const redis = await connectRedis(options.url);
  const prefix = projectPrefix(options.root, options.configFile);
  const keys = registryKeys(prefix);
  const context = createJobContext(options);
  const info = describeWorker(options);
  const controllers = new Map<string, AbortController>();

  const beat = () => writeHeartbeat(redis, prefix, info, stallTimeoutMs).catch(() => {});
  await writeHeartbeat(redis, prefix, info, stallTimeoutMs);
  const heartbeat = setInterval(beat, Math.min(1000, stallTimeoutMs / 3));

  const subscriber = await listenForCancels(redis, keys.cancel, controllers);
  const worker = createBullWorker(options, prefix, info, controllers, context);
  await worker.waitUntilReady();

  const parts: WorkerParts = { redis, prefix, info, worker, heartbeat, subscriber, pool: context.pool };
  let closing: Promise<void> | undefined;
  return {
    info,
    close() {
      closing ??= closeWorker(parts);
      return closing;
    },
  };
}

/** The local pool that runs the attempts, with every executor of the registry preloaded. */
function createJobContext(options: QueueWorkerOptions): JobContext {
  const { registry } = options;
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) baseEnv[k] = v;
  const preload = [...registry.executors.values()];
  const poolOptions = options.threads === undefined ? { preload, env: baseEnv } : { preload, env: baseEnv, workers: options.threads };
  const pool = createExecutorPool(poolOptions);
  const helperModules = [...new Set([...registry.helpers.values()].map((h) => h.moduleUrl))];
  return { registry, pool, baseEnv, helperModules };
}

/** The worker's entry in the registry: `weft workers` lists it, coordinators route by it. */
function describeWorker(options: QueueWorkerOptions): WorkerInfo {
  return {
    id: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    host: os.hostname(),
    pid: process.pid,
    tags: options.tags,
    concurrency: options.concurrency,
    running: 0,
    done: 0,
    startedAt: Date.now(),
    queue: queueNameFor(options.tags),
  };
}

/** BullMQ's worker on the queue for this worker's tags; each job runs with its own abort controller. */
function createBullWorker(
  options: QueueWorkerOptions,
  prefix: string,
  info: WorkerInfo,
  controllers: Map<string, AbortController>,
  context: JobContext,
): Worker<QueueJob, QueueResult> {
  const { stallTimeoutMs } = options;
  const worker = new Worker<QueueJob, QueueResult>(
    info.queue,
    async (job) => {
      const controller = new AbortController();
      controllers.set(job.id!, controller);
      info.running++;
      try {
        return await runJob(job, controller.signal, context);
      } finally {
        controllers.delete(job.id!);
        info.running--;
        info.done++;
      }
    },
    {
      connection: redisOptionsFor(options.url),
      prefix,
      concurrency: options.concurrency,
      name: info.id,
      lockDuration: stallTimeoutMs,
      stalledInterval: Math.max(250, Math.floor(stallTimeoutMs / 2)),
      // A stalled attempt is not run again by BullMQ: it fails, and the coordinator's retry runs
      // it as a new attempt, counted in the report; so one attempt never runs in two places.
      maxStalledCount: 0,
    },
  );
  worker.on('error', () => {});
  // Without its lock, this worker no longer owns the job: another may run it, so stop now.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) controllers.get(id)?.abort(new WeftError('WORKER_LOST', 'this worker lost the lock on the job', { retryable: true }));
  });
  return worker;
}

type WorkerParts = {
  redis: Redis;
  prefix: string;
  info: WorkerInfo;
  worker: Worker<QueueJob, QueueResult>;
  heartbeat: NodeJS.Timeout;
  subscriber: Redis;
  pool: ExecutorPool;
};

/** Take nothing new, let running attempts finish, leave the registry, release every connection. */
async function closeWorker({ redis, prefix, info, worker, heartbeat, subscriber, pool }: WorkerParts): Promise<void> {
  // With Redis gone, BullMQ's close waits for it forever; once nothing runs, nothing is owed.
  const stranded = untilIdleWithoutRedis(redis, info);
  await Promise.race([worker.close(), stranded.promise]);
  stranded.cancel();
  if (redis.status !== 'ready') await Promise.race([worker.disconnect(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  clearInterval(heartbeat);
  // Unreachable, the entry expires on its own; a command now would wait for Redis forever.
  if (redis.status === 'ready') await removeHeartbeat(redis, prefix, info.id).catch(() => {});
  await pool.destroy();
  subscriber.disconnect();
  redis.disconnect();
}

/** Resolves once no attempt runs and Redis is unreachable: a close that could only hang. */
function untilIdleWithoutRedis(redis: Redis, info: WorkerInfo): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setInterval(() => info.running === 0 && redis.status !== 'ready' && resolve(), 250);
  });
  return { promise, cancel: () => clearInterval(timer) };
}

/**
 * Aborts from the coordinator (Ctrl-C, a timeout backstop) arrive on a pub/sub channel every
 * worker hears; the one running the job aborts its local call, which kills the process group.
 */
async function listenForCancels(redis: Redis, channel: string, controllers: Map<string, AbortController>): Promise<Redis> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, text: string) => {
    const message = JSON.parse(text) as CancelMessage;
    controllers.get(message.jobId)?.abort(new WeftError(message.reason.code, message.reason.message));
  });
  await subscriber.subscribe(channel);
  return subscriber;
}

type JobContext = { registry: Registry; pool: ExecutorPool; baseEnv: Record<string, string>; helperModules: string[] };

/** One attempt: never throws for what the executor does; its failure is a result like its output. */
async function runJob(job: Job<QueueJob, QueueResult>, signal: AbortSignal, context: JobContext): Promise<QueueResult> {
  const data = job.data;
  if (data.v !== PROTOCOL_VERSION) {
    return failed({ code: 'INTERNAL', message: `job of weft queue protocol ${String(data.v)}, this worker speaks ${PROTOCOL_VERSION}: run one weft version everywhere` });
  }
  const entry = context.registry.executors.get(data.executor);
  if (!entry || entry.source !== data.source) {
    return failed({ code: 'UNKNOWN_EXECUTOR', message: `this worker has no executor "${data.executor}" from ${data.source}: check its project's plugins` });
  }
  const secrets: Record<string, string> = {};
  const missing = data.secrets.filter((name) => !context.baseEnv[name]);
  if (missing.length) return failed({ code: 'INPUT_INVALID', message: `secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set in the environment of worker ${os.hostname()}` });
  for (const name of data.secrets) secrets[name] = context.baseEnv[name]!;
  const credentials = (entry.executor.secretEnv ?? []).map((name) => context.baseEnv[name]).filter((v): v is string => !!v);
  const masker = createMasker([...Object.values(secrets), ...credentials]);
  const logs = createLogSender(job, masker, data.logs);
  try {
    const call = prepareCall(data, secrets, context);
    const value = data.batch
      ? await context.pool.runBatch(entry, call.input as unknown[], call.ctx, { signal, onLog: logs.push })
      : await context.pool.run(entry, call.input, call.ctx, { signal, onLog: logs.push });
    await logs.flush();
    const result: QueueResult = { ok: true, value: masker.maskDeep(value) };
    return failedIfTooLarge(result, data.taskId);
  } catch (error) {
    await logs.flush();
    return failed(masker.maskDeep(toErrorData(error)));
  }
}

/** The call as the local pool takes it: placeholders resolved, the worker's env under the task's own. */
function prepareCall(data: QueueJob, secrets: Record<string, string>, context: JobContext): { input: unknown; ctx: CallContext } {
  const resolve = <T>(value: T): T => (data.secrets.length ? resolveSecrets(value, secrets, data.nonce) : value);
  const options = resolve(data.options);
  // Helper modules by this worker's paths: its registry, not the coordinator's, says where they are.
  if (context.helperModules.length) options.helperModules = context.helperModules;
  else delete options.helperModules;
  const ctx: CallContext = { taskId: data.taskId, attempt: data.attempt, root: data.root, options };
  const overlay = resolve(data.env);
  // Left out, the local pool uses the environment it was started with, without cloning it per call.
  if (Object.keys(overlay).length) ctx.env = { ...context.baseEnv, ...overlay };
  if (data.model !== undefined) ctx.model = data.model;
  if (data.timeoutMs !== undefined) ctx.timeoutMs = data.timeoutMs;
  return { input: resolve(data.input), ctx };
}

function failed(error: ErrorData): QueueResult {
  return { ok: false, error };
}

function failedIfTooLarge(result: QueueResult, taskId: string): QueueResult {
  const tooBig = payloadTooLarge(result, `the output of task ${taskId}`);
  return tooBig ? failed(tooBig) : result;
}

/**
 * Log lines to the coordinator as BullMQ progress events, batched (one event per 50 ms or 64 KiB)
 * and masked here, before they reach Redis.
 */
function createLogSender(job: Job<QueueJob, QueueResult>, masker: Masker, wanted: boolean) {
  let batch: LogBatch['logs'] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let sent: Promise<unknown> = Promise.resolve();
  const flush = (): Promise<unknown> => {
    clearTimeout(timer);
    timer = undefined;
    if (batch.length) {
      const logs = batch;
      batch = [];
      bytes = 0;
      sent = sent.then(() => job.updateProgress({ logs } satisfies LogBatch)).catch(() => {});
    }
    return sent;
  };
  const push = (stream: 'stdout' | 'stderr', line: string): void => {
    if (!wanted) return;
    const cut = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length - MAX_LINE} more characters)` : line;
    batch.push([stream, masker.mask(cut)]);
    bytes += cut.length;
    if (bytes >= 64 * 1024) void flush();
    else timer ??= setTimeout(flush, 50);
  };
  return { push, flush };
}
