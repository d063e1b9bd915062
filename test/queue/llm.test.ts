import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { hasRedis, skipReason, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { makeQueueProject, runJson } from './support.js';

const items = Array.from({ length: 12 }, (_, i) => i + 1);

/** Most requests the fake received within any window of `ms`. */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe.skipIf(!hasRedis)(`an llm fan-out through workers${skipReason}`, { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let fake: FakeAnthropic;
  const workers: WorkerProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    redis = await startRedis();
    // The API allows 5 requests a second and answers 429 beyond; the pool asks for 3 (the margin
    // absorbs the queue's uneven latency on a loaded machine: calls leave evenly, not arrive).
    fake = await startFakeAnthropic({ rateLimit: { requests: 5, per: 'second' }, latencyMs: 20, respond: () => 'fine' });
    dir = makeQueueProject(`
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
pools:
  api: { rate: { limit: 3, per: second } }
tasks:
  review:
    forEach: ${JSON.stringify(items)}
    uses: llm
    pool: api
    cache: false
    with: { prompt: "review item {{item}}", maxTokens: 50 }
`, {
      'pipelines/warm.yaml': `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  warm: { forEach: [1, 2, 3, 4], uses: llm, cache: false, with: { prompt: "warm {{item}}", maxTokens: 5 } }
`,
    });
    // The API key and endpoint live on the workers; the coordinator has neither.
    const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url };
    workers.push(await startWorker(dir, redis.url, ['--concurrency', '4'], env), await startWorker(dir, redis.url, ['--concurrency', '4'], env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await fake?.close();
    await redis?.stop();
  }, 60_000);

  it("holds the pool's rate across workers: no request over the limit, no 429", async () => {
    // Workers load the SDK as they start; calls held up by a cold start would arrive in a bunch.
    await runJson(dir, 'pipelines/warm.yaml', ['--queue', redis.url]);
    const last = Math.max(...fake.requests.map((r) => r.at));
    await waitFor(() => Date.now() - last > 1000, "the fake's rate window to empty");
    fake.reset();
    const { code, report, stderr } = await runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    expect(stderr).not.toMatch(/✗/);
    expect(code).toBe(0);
    for (const i of items.keys()) expect(report.tasks[`review[${i}]`]).toMatchObject({ status: 'success', attempts: 1 });
    const sent = fake.messageRequests();
    // One request per task: none was refused with a 429 and sent again.
    expect(sent).toHaveLength(items.length);
    expect(busiestWindow(sent.map((r) => r.at), 1000)).toBeLessThanOrEqual(5);
  });
});
