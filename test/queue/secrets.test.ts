import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { hasRedis, monitorRedis, skipReason, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../support/redis.js';
import { makeQueueProject, runJson } from './support.js';

const SECRET = "s3cr'et token-4711";
const COORDINATOR_ONLY = 'coordinator-credential-31337';

/** Every value held in Redis, whatever its type, as text. */
async function dumpRedis(redis: Redis): Promise<string[]> {
  const out: string[] = [];
  for (const key of await redis.keys('*')) {
    out.push(key);
    const type = await redis.type(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') out.push(...(await redis.smembers(key)));
    else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
    else if (type === 'stream') out.push(...(await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]));
    else throw new Error(`key ${key} has type ${type}, not scanned`);
  }
  return out;
}

describe.skipIf(!hasRedis)(`secrets on a queue${skipReason}`, { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  let worker: WorkerProcess;

  beforeAll(async () => {
    redis = await startRedis();
    dir = makeQueueProject(`
env:
  FROM_PIPELINE: plain-value
tasks:
  compare:
    run: 'test "$TOKEN" = {{secrets.API_TOKEN}} && echo same'
    env: { TOKEN: "{{secrets.API_TOKEN}}" }
  leak:
    run: 'echo "token $TOKEN from $FROM_PIPELINE"; echo "again {{secrets.API_TOKEN}}" >&2; exit 3'
    env: { TOKEN: "{{secrets.API_TOKEN}}" }
`);
    // The secret lives on the worker only; the coordinator holds other credentials of its own.
    worker = await startWorker(dir, redis.url, ['--concurrency', '2'], { API_TOKEN: SECRET });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
  }, 60_000);

  it('resolves secrets on the worker and never writes one to Redis', async () => {
    const monitor = await monitorRedis(redis.port);
    const commands = monitor.lines;
    const { code, report, stderr } = await runJson(dir, 'pipeline.yaml', ['--queue', redis.url, '--keep-going'], {
      COORD_CRED: COORDINATOR_ONLY,
      ANTHROPIC_API_KEY: COORDINATOR_ONLY,
    });
    monitor.stop();

    expect(code).toBe(1);
    const compare = report.tasks.compare!;
    expect(compare.status === 'success' && (compare.output as { stdout: string }).stdout).toBe('same\n');
    const leak = report.tasks.leak!;
    expect(leak.status).toBe('failed');
    // The worker masked its own secret before the log lines left it (--json: progress on stderr).
    expect(stderr).toContain('token *** from plain-value');
    // Inside the author's double quotes the value is the text itself, not a quoted word.
    expect(stderr).toContain('again ***');
    expect(stderr + JSON.stringify(report)).not.toContain('token-4711');

    expect(commands.length).toBeGreaterThan(10);
    const written = [...commands, ...(await dumpRedis(redis.client))];
    for (const text of written) {
      expect(text).not.toContain('token-4711');
      expect(text).not.toContain(COORDINATOR_ONLY);
    }
  });
});
