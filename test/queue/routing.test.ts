import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.js';
import { hasRedis, skipReason, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../support/redis.js';
import { makeQueueProject, runJson } from './support.js';

describe.skipIf(!hasRedis)(`runsOn, live workers and bounded payloads${skipReason}`, { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  let gpu: WorkerProcess;
  let plain: WorkerProcess;

  beforeAll(async () => {
    redis = await startRedis();
    dir = makeQueueProject(`
tasks:
  items: { uses: node, with: { module: work.mjs, export: list, input: 6 } }
  anywhere:
    needs: [items]
    forEach: "{{tasks.items.output}}"
    uses: node
    with: { module: work.mjs, export: hold, input: { ms: 50 } }
  accelerated:
    needs: [items]
    forEach: "{{tasks.items.output}}"
    runsOn: [gpu]
    uses: node
    with: { module: work.mjs, export: hold, input: { ms: 50 } }
  both:
    runsOn: [linux, gpu]
    uses: node
    with: { module: work.mjs, export: hold, input: { ms: 10 } }
`, {
      'pipelines/nowhere.yaml': `
tasks:
  tpu: { runsOn: [tpu], uses: node, with: { module: work.mjs, export: hold, input: { ms: 10 } } }
  fine: { uses: node, with: { module: work.mjs, export: hold, input: { ms: 10 } } }
`,
      'pipelines/big.yaml': `
tasks:
  huge: { uses: node, with: { module: work.mjs, export: big, input: 9 } }
  after: { needs: [huge], when: always, uses: node, with: { module: work.mjs, export: hold, input: { ms: 1 } } }
`,
    });
    gpu = await startWorker(dir, redis.url, ['--concurrency', '2', '--tags', 'gpu,linux']);
    plain = await startWorker(dir, redis.url, ['--concurrency', '2']);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([gpu?.stop(), plain?.stop()]);
    await redis?.stop();
  }, 60_000);

  it('lists the live workers with their tags', async () => {
    const table = await runCli(['workers', '--queue', redis.url], { cwd: dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`\\b${gpu.pid}\\b.*gpu,linux`));
    expect(table.stdout).toMatch(new RegExp(`\\b${plain.pid}\\b`));
    const json = await runCli(['workers', '--queue', redis.url, '--json'], { cwd: dir });
    const listed = JSON.parse(json.stdout) as Array<{ pid: number; tags: string[]; concurrency: number }>;
    expect(listed.map((w) => [w.pid, w.tags, w.concurrency]).sort()).toEqual([[gpu.pid, ['gpu', 'linux'], 2], [plain.pid, [], 2]].sort());
  });

  it('sends a task with runsOn only to workers with every tag it names', async () => {
    const { code, report } = await runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    expect(code).toBe(0);
    const pidOf = (id: string) => {
      const r = report.tasks[id]!;
      return r.status === 'success' ? (r.output as { pid: number }).pid : undefined;
    };
    for (let i = 0; i < 6; i++) expect(pidOf(`accelerated[${i}]`)).toBe(gpu.pid);
    expect(pidOf('both')).toBe(gpu.pid);
  });

  it('fails a task no live worker can take, instead of waiting for one', async () => {
    const { code, report } = await runJson(dir, 'pipelines/nowhere.yaml', ['--queue', redis.url, '--keep-going']);
    expect(code).toBe(1);
    const tpu = report.tasks.tpu!;
    expect(tpu.status === 'failed' && tpu.error).toMatchObject({ code: 'NO_WORKER', message: expect.stringContaining('tpu') });
    expect(report.tasks.fine!.status).toBe('success');
  });

  it('turns an output over the size limit into a task error; the worker keeps serving', async () => {
    const { code, report } = await runJson(dir, 'pipelines/big.yaml', ['--queue', redis.url]);
    expect(code).toBe(1);
    const huge = report.tasks.huge!;
    expect(huge.status === 'failed' && huge.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(report.tasks.after!.status).toBe('success');
    expect(gpu.child.exitCode ?? plain.child.exitCode).toBeNull();
  });
});
