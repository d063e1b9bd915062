// Live workers, as `weft workers` lists them and as the coordinator routes `runsOn` by them: each
// worker rewrites its entry every heartbeat with an expiry, so a worker that died (kill -9, machine
// gone) drops out on its own once its entry expires.
import type { Redis } from 'ioredis';
import { registryKeys } from './queue-protocol.js';

/** What a worker says about itself each heartbeat. */
export type WorkerInfo = {
  id: string;
  host: string;
  pid: number;
  tags: string[];
  concurrency: number;
  /** Attempts running now, and finished since the worker started. */
  running: number;
  done: number;
  startedAt: number;
  /** The queue it takes jobs from (queueNameFor(tags)). */
  queue: string;
};

/**
 * Write (or refresh) a worker's entry; it expires after `ttlMs` without another heartbeat.
 * @example await writeHeartbeat(redis, prefix, info, 10_000)
 */
export async function writeHeartbeat(redis: Redis, prefix: string, info: WorkerInfo, ttlMs: number): Promise<void> {
  const keys = registryKeys(prefix);
  await redis.multi().set(keys.worker(info.id), JSON.stringify(info), 'PX', ttlMs).sadd(keys.workers, info.id).exec();
}

/** Remove a worker's entry at once (a clean shutdown), instead of letting it expire. */
export async function removeHeartbeat(redis: Redis, prefix: string, id: string): Promise<void> {
  const keys = registryKeys(prefix);
  await redis.multi().del(keys.worker(id)).srem(keys.workers, id).exec();
}

/**
 * The workers whose heartbeat has not expired, oldest first. Expired ids are dropped from the set.
 * @example (await listWorkers(redis, prefix)).map((w) => w.host)
 */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerInfo[]> {
  const keys = registryKeys(prefix);
  const ids = await redis.smembers(keys.workers);
  if (!ids.length) return [];
  const values = await redis.mget(ids.map((id) => keys.worker(id)));
  const live: WorkerInfo[] = [];
  const gone: string[] = [];
  values.forEach((value, i) => {
    if (value) live.push(JSON.parse(value) as WorkerInfo);
    else gone.push(ids[i]!);
  });
  if (gone.length) await redis.srem(keys.workers, ...gone);
  return live.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}
