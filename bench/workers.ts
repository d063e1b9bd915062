// Workers: what running attempts on `weft worker` processes through Redis costs, against the
// same pipeline on this machine's thread pool, and against the ideal time of a sleep fan-out.
import os from 'node:os';
import { createExecutorPool } from '../engine/pool/local.js';
import { runPipeline } from '../engine/run/run.js';
import type { Pipeline } from '../engine/types.js';
import { registerSection, type BenchContext } from './harness.js';
import { assertSucceeded, createProject, type BenchProject } from './support/project.js';
import { cpuMsOf, hasRedisServer, startRedisServer, startWorkers } from './support/redis.js';

/** Aims from issue 13. */
const aims = { overheadMs: 2, sleepRatio: 1.15 };

const verdict = (met: boolean, aim: string) => ` (aim ${aim}: ${met ? 'met' : 'MISSED'})`;

function tasksYaml(name: string, count: number, concurrency: number, task: string): string {
  const lines = [`name: ${name}`, `concurrency: ${concurrency}`, 'tasks:'];
  for (let i = 0; i < count; i++) lines.push(`  t${i}: ${task.replace('$i', String(i))}`);
  return `${lines.join('\n')}\n`;
}

async function runQueued(pipeline: Pipeline, url: string): Promise<void> {
  // Imported here, not at the top: bullmq would grow the process the `run` section forks from.
  const { createQueuePool } = await import('../engine/pool/queue.js');
  const pool = await createQueuePool({ url, pipeline });
  try {
    assertSucceeded(await runPipeline(pipeline, { pool }));
  } finally {
    await pool.destroy();
  }
}

/** 1,000 no-op tasks through 2 workers vs the same pipeline on the local pool: the queue's cost per task. */
async function noopOverhead(ctx: BenchContext, project: BenchProject, redis: { url: string; pid: number }): Promise<void> {
  const { url } = redis;
  project.write('queue-noop', tasksYaml('queue-noop', 1000, 64, '{ uses: node, with: { module: noop.mjs, input: $i } }'));
  const pipeline = await project.load('queue-noop');
  const local = createExecutorPool({ workers: 2 });
  const localMs = await ctx.time(async () => assertSucceeded(await runPipeline(pipeline, { pool: local })), 3);
  await local.destroy();
  const workers = await startWorkers(project.dir, url, 2, 32);
  try {
    const queueMs = await ctx.time(() => runQueued(pipeline, url), 3);
    const perTask = (queueMs - localMs) / 1000;
    ctx.row({
      label: '1,000 no-op tasks (concurrency 64), 2 workers x 32 vs local pool',
      ms: queueMs,
      baselineMs: localMs,
      note: `${perTask.toFixed(2)} ms per task${verdict(perTask < aims.overheadMs, `< ${aims.overheadMs} ms`)}`,
    });
    const pids = [process.pid, ...workers.pids, redis.pid];
    const before = pids.map(cpuMsOf);
    await runQueued(pipeline, url);
    const used = pids.map((pid, i) => (cpuMsOf(pid) ?? NaN) - (before[i] ?? NaN));
    if (used.every(Number.isFinite)) {
      const [coordinator = 0, ...rest] = used;
      const total = used.reduce((a, b) => a + b, 0);
      ctx.line(`CPU per queued task, all processes: ${(total / 1000).toFixed(2)} ms (coordinator ${(coordinator / 1000).toFixed(2)}, workers and redis-server ${((total - coordinator) / 1000).toFixed(2)}); os.loadavg()[0] ${os.loadavg()[0]!.toFixed(1)}`);
    }
  } finally {
    await workers.stop();
  }
}

/** 200 tasks of 100 ms through 4 workers of concurrency 5, against the ideal 200 x 100 ms / 20 slots. */
async function sleepFanOut(ctx: BenchContext, project: BenchProject, url: string): Promise<void> {
  project.write('queue-sleep', tasksYaml('queue-sleep', 200, 20, '{ uses: node, with: { module: sleep.mjs, input: 100 } }'));
  const pipeline = await project.load('queue-sleep');
  const workers = await startWorkers(project.dir, url, 4, 5);
  try {
    const ms = await ctx.time(() => runQueued(pipeline, url), 3);
    const ideal = (200 * 100) / 20;
    ctx.row({ label: '200 tasks of 100 ms, 4 workers x 5 vs ideal 200 x 100 ms / 20', ms, baselineMs: ideal, note: verdict(ms / ideal <= aims.sleepRatio, `<= ${aims.sleepRatio}x`).trim() });
  } finally {
    await workers.stop();
  }
}

registerSection({
  name: 'workers',
  description: 'attempts on `weft worker` processes through a local redis-server, vs the local pool and the ideal',
  async run(ctx) {
    if (!hasRedisServer()) {
      ctx.line('skipped: redis-server is not installed');
      return;
    }
    const redis = await startRedisServer();
    const project = createProject();
    try {
      await noopOverhead(ctx, project, redis);
      await sleepFanOut(ctx, project, redis.url);
    } finally {
      project.remove();
      await redis.stop();
    }
  },
});
