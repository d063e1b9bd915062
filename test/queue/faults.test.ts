import { processGone } from '../plugins/process-gone.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { binPath, spawnBin, stackLines } from '../cli/support.js';
import { hasRedis, skipReason, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { makeQueueProject, runJson } from './support.js';

/** The pid a hold task wrote its marker with, once it has started. */
function markerPid(dir: string, marker: string): number | undefined {
  const file = readdirSync(dir).find((f) => f.startsWith(`${marker}-`));
  return file ? Number(file.slice(marker.length + 1)) : undefined;
}

/** Wait for a hold task to start; the pid of the worker running it. */
async function started(dir: string, marker: string): Promise<number> {
  await waitFor(() => markerPid(dir, marker) !== undefined, `task with marker ${marker} to start`, 60_000);
  return markerPid(dir, marker)!;
}


describe.skipIf(!hasRedis)(`faults on a queue${skipReason}`, { timeout: 120_000 }, () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await redis?.stop();
  }, 60_000);

  async function worker(dir: string, args: string[] = []): Promise<WorkerProcess> {
    const w = await startWorker(dir, redis.url, ['--concurrency', '2', '--stall-timeout', '2s', ...args]);
    workers.push(w);
    return w;
  }

  it('re-runs the attempt of a worker killed with -9 on another worker, counted as an attempt', async () => {
    const dir = makeQueueProject(`
tasks:
  long: { uses: node, with: { module: work.mjs, export: hold, input: { ms: 1500, marker: started } } }
`);
    const [a, b] = [await worker(dir), await worker(dir)];
    const running = runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    const first = await started(dir, 'started');
    const victim = first === a.pid ? a : b;
    const survivor = first === a.pid ? b : a;
    await victim.stop('SIGKILL');
    const { code, report, stderr } = await running;
    expect(code).toBe(0);
    const long = report.tasks.long!;
    expect(long.status).toBe('success');
    expect(long.attempts).toBe(2);
    expect(long.status === 'success' && (long.output as { pid: number }).pid).toBe(survivor.pid);
    expect(stderr).toMatch(/WORKER_LOST|stopped answering/);
  });

  it('on SIGTERM, a worker finishes its running attempt, takes nothing new, and exits 0', async () => {
    const dir = makeQueueProject(`
tasks:
  first: { uses: node, with: { module: work.mjs, export: hold, input: { ms: 800, marker: first } } }
  second: { needs: [first], uses: node, with: { module: work.mjs, export: hold, input: { ms: 10 } } }
`);
    const w = await worker(dir);
    const running = runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    await started(dir, 'first');
    const exited = w.stop('SIGTERM');
    const { report } = await running;
    expect(await exited).toBe(0);
    const first = report.tasks.first!;
    expect(first.status === 'success' && (first.output as { pid: number }).pid).toBe(w.pid);
    const second = report.tasks.second!;
    expect(second.status === 'failed' && second.error.code).toBe('NO_WORKER');
    expect(w.output()).toContain('stopped after 1 attempt(s)');
  });

  it('on Ctrl-C, the coordinator removes its queued jobs and stops the running one (process group killed)', async () => {
    const dir = makeQueueProject(`
tasks:
  sleepy:
    forEach: [1, 2, 3]
    run: 'sleep 30 & echo $! > sleep.pid; wait'
  after: { needs: [sleepy], run: 'echo never' }
`);
    // One slot: one attempt runs, two wait in Redis.
    const w = await worker(dir, ['--concurrency', '1']);
    const coordinator = spawn(process.execPath, [binPath, 'run', 'pipeline.yaml', '--queue', redis.url], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => coordinator.once('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(path.join(dir, 'sleep.pid')) && readFileSync(path.join(dir, 'sleep.pid'), 'utf8').trim() !== '', 'the task to start', 60_000);
    coordinator.kill('SIGINT');
    expect(await exited).toBe(130);
    const sleepPid = Number(readFileSync(path.join(dir, 'sleep.pid'), 'utf8'));
    await waitFor(() => processGone(sleepPid), "the task's sleep to be killed");
    await waitFor(async () => {
      const json = await spawnBin(['workers', '--queue', redis.url, '--json'], { cwd: dir });
      const listed = JSON.parse(json.stdout) as Array<{ pid: number; running: number; done: number }>;
      return listed.some((x) => x.pid === w.pid && x.running === 0 && x.done === 1);
    }, 'the worker to be idle', 60_000);
    expect(w.child.exitCode).toBeNull();
    const left = await redis.client.keys('*:attempts:*');
    for (const list of left.filter((k) => /:(wait|active|prioritized)$/.test(k))) {
      expect(await redis.client.llen(list).catch(() => redis.client.zcard(list))).toBe(0);
    }
  });

  it('fails cleanly when Redis goes away mid-run, and --resume finishes the run later', async () => {
    const dir = makeQueueProject(`
inputs:
  ms: { type: integer, default: 60000 }
tasks:
  quick: { uses: node, with: { module: work.mjs, export: hold, input: { ms: 1 } } }
  slow: { needs: [quick], uses: node, with: { module: work.mjs, export: hold, input: { ms: "{{inputs.ms}}", marker: slow } } }
  last: { needs: [slow], uses: node, with: { module: work.mjs, export: hold, input: { ms: 1 } } }
`);
    await worker(dir);
    const running = runJson(dir, 'pipeline.yaml', ['--queue', redis.url]);
    await started(dir, 'slow');
    await redis.stop();
    const lost = await running;
    expect(lost.code).toBe(1);
    expect(lost.report.tasks.quick!.status).toBe('success');
    const slow = lost.report.tasks.slow!;
    expect(slow.status === 'failed' && slow.error.code).toBe('QUEUE_UNREACHABLE');
    expect(lost.report.tasks.last).toMatchObject({ status: 'skipped', reason: 'upstream' });

    // Redis is back (empty); the worker reconnects on its own.
    await redis.restart();
    const resumed = await runJson(dir, 'pipeline.yaml', ['--queue', redis.url, '--resume', '--var', 'ms=10']);
    expect(resumed.report.tasks).toMatchObject({ slow: { status: 'success' } });
    expect(resumed.code).toBe(0);
    expect(resumed.report.tasks.quick).toMatchObject({ status: 'success', resumed: true });
    expect(resumed.report.tasks.last!.status).toBe('success');
  });

  it('exits 2 with a clear message when Redis cannot be reached', async () => {
    const dir = makeQueueProject('tasks: { a: { run: "echo a" } }');
    for (const argv of [['run', 'pipeline.yaml', '--queue', 'redis://127.0.0.1:1'], ['worker', '--queue', 'redis://127.0.0.1:1']]) {
      const { code, stderr } = await spawnBin(argv, { cwd: dir });
      expect(code).toBe(2);
      expect(stderr).toMatch(/^weft: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
      expect(stackLines(stderr)).toEqual([]);
    }
  });
});
