import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../engine/types.js';
import { hasRedis, skipReason, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../support/redis.js';
import { intervals, makeQueueProject, overlap, pidsOf, runJson } from './support.js';

const fanOut = `
tasks:
  list: { uses: node, with: { module: work.mjs, export: list, input: 12 } }
  square:
    needs: [list]
    forEach: "{{tasks.list.output}}"
    uses: node
    with: { module: work.mjs, export: square, input: "{{item}}" }
  total:
    needs: [square]
    uses: node
    with: { module: work.mjs, export: sum, input: "{{tasks.square.outputs}}" }
  hello: { run: "echo hello from {{pipeline.name}}" }
outputs:
  total: "{{tasks.total.output}}"
`;

/** The report without what differs by nature between two runs: times, run id, pids. */
function comparable(report: RunReport) {
  const tasks = Object.fromEntries(
    Object.entries(report.tasks).map(([id, r]) => {
      const output = r.status === 'success' ? r.output : undefined;
      const { pid: _pid, start: _s, end: _e, ...rest } = (typeof output === 'object' && output !== null && !Array.isArray(output) ? output : { value: output }) as Record<string, unknown>;
      return [id, { status: r.status, attempts: r.attempts, output: rest }];
    }),
  );
  return { status: report.status, outputs: report.outputs, tasks };
}

describe.skipIf(!hasRedis)(`a run through weft workers${skipReason}`, { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dir = makeQueueProject(fanOut, {
      'pipelines/locks.yaml': `
tasks:
  one: { uses: node, locks: [db], with: { module: work.mjs, export: hold, input: { ms: 150 } } }
  two: { uses: node, locks: [db], with: { module: work.mjs, export: hold, input: { ms: 150 } } }
  three: { uses: node, locks: [db], with: { module: work.mjs, export: hold, input: { ms: 150 } } }
  four: { uses: node, locks: [db], with: { module: work.mjs, export: hold, input: { ms: 150 } } }
`,
      'pipelines/pool.yaml': `
pools:
  narrow: { concurrency: 2 }
tasks:
  items: { uses: node, with: { module: work.mjs, export: list, input: 8 } }
  work:
    needs: [items]
    forEach: "{{tasks.items.output}}"
    pool: narrow
    uses: node
    with: { module: work.mjs, export: hold, input: { ms: 150 } }
`,
    });
    workers.push(await startWorker(dir, redis.url, ['--concurrency', '2']), await startWorker(dir, redis.url, ['--concurrency', '2']));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  }, 60_000);

  it('gives the same report as a run on this machine, with tasks run in both worker processes', async () => {
    const local = await runJson(dir, 'pipeline.yaml', []);
    const queued = await runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    expect(queued.code).toBe(0);
    expect(comparable(queued.report)).toEqual(comparable(local.report));
    expect(queued.report.outputs).toEqual({ total: 650 });
    // Every attempt ran in a worker process, and both workers took some.
    expect(pidsOf(queued.report)).toEqual(new Set(workers.map((w) => w.pid)));
    expect(pidsOf(local.report)).toEqual(new Set([process.pid]));
  });

  it('holds a lock across workers: no two holders ever overlap', async () => {
    const { code, report } = await runJson(dir, 'pipelines/locks.yaml', ['--queue', redis.url]);
    expect(code).toBe(0);
    expect(intervals(report)).toHaveLength(4);
    expect(overlap(intervals(report))).toBe(1);
  });

  it("holds a pool's concurrency across workers", async () => {
    const { code, report } = await runJson(dir, 'pipelines/pool.yaml', ['--queue', redis.url]);
    expect(code).toBe(0);
    expect(intervals(report)).toHaveLength(8);
    expect(overlap(intervals(report))).toBeLessThanOrEqual(2);
  });
});
