// The task lifecycle and the attempt runner driven by a scripted executor pool: no threads, no
// processes, every call settled by the test, so order and overlap are decided, not raced.
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../engine/errors.js';
import type { CancelSignal } from '../../engine/pool/cancellation.js';
import type { ExecutorPool } from '../../engine/pool/local.js';
import { runPipeline } from '../../engine/run/run.js';
import type { RunEvent } from '../../engine/types.js';
import { loadValid, makeProject } from '../support/project.js';
import { waitFor } from '../support/wait.js';

type Call = { id: string; resolve(output: unknown): void; reject(error: unknown): void; signal?: CancelSignal };

/** A pool whose calls wait until the test settles them. */
function scriptedPool(): ExecutorPool & { calls: Call[]; open(id: string): Call } {
  const calls: Call[] = [];
  return {
    workers: 1,
    calls,
    open(id) {
      const call = calls.find((c) => c.id === id);
      if (!call) throw new Error(`${id} was never called (called: ${calls.map((c) => c.id).join(', ')})`);
      return call;
    },
    run(_entry, _with, ctx, options) {
      return new Promise((resolve, reject) => {
        const call: Call = { id: ctx.taskId, resolve, reject };
        if (options?.signal) {
          call.signal = options.signal;
          options.signal.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
        }
        calls.push(call);
      });
    },
    runBatch: () => Promise.reject(new Error('no batches here')),
    destroy: async () => {},
  };
}

async function start(yaml: string, options: { signal?: AbortSignal } = {}) {
  const pipeline = await loadValid(makeProject({ 'pipeline.yaml': yaml }));
  const pool = scriptedPool();
  const events: RunEvent[] = [];
  const done = runPipeline(pipeline, { pool, onEvent: (e) => events.push(e), ...options });
  return { pool, events, done };
}

describe('lifecycle with a scripted pool', () => {
  it('starts a task the moment its last need ends, and not before', async () => {
    const { pool, done } = await start(`tasks:
  a: { run: a }
  b: { run: b }
  c: { needs: [a, b], run: c }
`);
    await waitFor(() => pool.calls.length === 2, 'a and b to start');
    pool.open('a').resolve('A');
    await new Promise((r) => setImmediate(r));
    expect(pool.calls.map((c) => c.id)).toEqual(['a', 'b']);
    pool.open('b').resolve('B');
    await waitFor(() => pool.calls.length === 3, 'c to start');
    pool.open('c').resolve('C');
    const report = await done;
    expect(report.status).toBe('success');
    expect(report.tasks.c).toMatchObject({ status: 'success', output: 'C' });
  });

  it('under failFast, ends what waits as cancelled once a failure is final, and runs when: always', async () => {
    const { pool, done } = await start(`concurrency: 1
tasks:
  a: { run: a, priority: 5 }
  b: { run: b }
  cleanup: { needs: [a], when: always, run: cleanup }
`);
    await waitFor(() => pool.calls.length === 1, 'a to start');
    pool.open('a').reject(new WeftError('TASK_FAILED', 'exit code 1'));
    await waitFor(() => pool.calls.length === 2, 'cleanup to start');
    expect(pool.calls.map((c) => c.id)).toEqual(['a', 'cleanup']);
    pool.open('cleanup').resolve('ok');
    const report = await done;
    expect(report.status).toBe('failed');
    expect(report.tasks.b).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    expect(report.tasks.cleanup!.status).toBe('success');
  });

  it('retries through the scheduler: the retry is a new call after the first failed', async () => {
    const { pool, events, done } = await start(`tasks:
  a: { run: a, retry: { attempts: 2, delay: 1ms } }
`);
    await waitFor(() => pool.calls.length === 1, 'the first attempt');
    pool.open('a').reject(new WeftError('TASK_FAILED', 'flaky', { retryable: true }));
    await waitFor(() => pool.calls.length === 2, 'the second attempt');
    pool.calls[1]!.resolve('second');
    const report = await done;
    expect(report.tasks.a).toMatchObject({ status: 'success', attempts: 2, output: 'second' });
    expect(events.filter((e) => e.type === 'task:start').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
  });

  it('cancellation aborts the running call and ends the rest skipped', async () => {
    const controller = new AbortController();
    const { pool, done } = await start(`tasks:
  a: { run: a }
  b: { needs: [a], run: b }
`, { signal: controller.signal });
    await waitFor(() => pool.calls.length === 1, 'a to start');
    controller.abort();
    const report = await done;
    expect(pool.open('a').signal?.aborted).toBe(true);
    expect(report.status).toBe('cancelled');
    expect(report.tasks.a!.status).toBe('cancelled');
    expect(report.tasks.b).toMatchObject({ status: 'skipped', reason: 'cancelled' });
  });
});
