// The Redis behind a queue: `--queue redis://[user:password@]host[:port][/db]` (rediss:// for
// TLS) to ioredis options, and a first connection that fails fast with a clear message.
import { Redis } from 'ioredis';
import { WeftError } from '../errors.js';

/** How long the first connection may take before the run or worker gives up (exit 2). */
const CONNECT_TIMEOUT_MS = 3000;

/** Where Redis is: options both ioredis and BullMQ's `connection` take. */
export type RedisAddress = { host: string; port: number; username?: string; password?: string; db?: number; tls?: Record<string, never> };

/**
 * ioredis options for a queue URL; anything but a redis:// or rediss:// URL is a USAGE error.
 * @example redisOptionsFor('redis://127.0.0.1:6390/2') // { host: '127.0.0.1', port: 6390, db: 2 }
 */
export function redisOptionsFor(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WeftError('USAGE', `--queue: "${url}" is not a URL; expected redis://HOST:PORT`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new WeftError('USAGE', `--queue: "${url}" is not a redis:// URL`);
  }
  const options: RedisAddress = { host: parsed.hostname || '127.0.0.1', port: parsed.port ? Number(parsed.port) : 6379 };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new WeftError('USAGE', `--queue: "${db}" is not a database number`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/** The URL without its password, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * A connected client for weft's own keys, or QUEUE_UNREACHABLE (exit 2) when Redis does not
 * answer within a few seconds. Once connected, it reconnects on its own like BullMQ's clients.
 * @example const redis = await connectRedis('redis://127.0.0.1:6379')
 */
export async function connectRedis(url: string): Promise<Redis> {
  const options = redisOptionsFor(url);
  const redis = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // The first connection is tried once: a wrong address should be said now, not retried forever.
    retryStrategy: () => null,
    maxRetriesPerRequest: 1,
  });
  // ioredis also reports connection errors as events; the rejection below says it once.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new WeftError('QUEUE_UNREACHABLE', `cannot reach Redis at ${displayUrl(url)}: ${(error as Error).message || 'no answer'}`, { cause: error });
  }
  // From now on a lost connection is retried, as BullMQ's own clients do.
  redis.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  redis.options.maxRetriesPerRequest = null;
  return redis;
}
