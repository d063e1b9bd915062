// The executor pool itself: errors across the thread, abort reasons, early aborts, the hard
// stop, log delivery, batches and concurrency, all on real worker threads (loaded from dist/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../engine/errors.js';
import type { ExecutorEntry } from '../engine/executor.js';
import { createExecutorPool } from '../engine/pool/local.js';
import { waitFor } from './plugins/contract.js';
import { builtinEntry, callContext, makeTempDir, modulesDir } from './plugins/helpers.js';

const pool = createExecutorPool({ workers: 1 });
afterAll(() => pool.destroy());

const node = () => builtinEntry('node');
const fn = (name: string, input?: unknown) => ({ module: 'functions.js', export: name, input });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call should fail'),
    (error: WeftError) => error,
  );

describe('errors across the thread', () => {
  it('keeps message and retryable of a foreign error, maps its code to TASK_FAILED and keeps it in the message', async () => {
    const error = await failure(pool.run(await node(), fn('fail'), callContext()));
    expect(error).toBeInstanceOf(WeftError);
    expect(error).toMatchObject({ code: 'TASK_FAILED', retryable: true });
    expect(error.message).toContain('x');
    expect(error.message).toContain('E_MINE');
  });

  it('keeps a weft code with retryAfterMs and status as thrown', async () => {
    const fields = { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 1500, status: 429 };
    const error = await failure(pool.run(await node(), fn('fail', { message: 'slow down', fields }), callContext()));
    expect(error).toMatchObject({ ...fields, message: 'slow down' });
  });

  it('turns a thrown non-error into TASK_FAILED, retryable: nothing marked it permanent', async () => {
    const error = await failure(pool.run(await node(), fn('throwString'), callContext()));
    expect(error).toMatchObject({ code: 'TASK_FAILED', retryable: true, message: 'plain string' });
  });

  it('fails a result that cannot be cloned as OUTPUT_INVALID and keeps the worker alive', async () => {
    const error = await failure(pool.run(await node(), fn('uncloneable'), callContext()));
    expect(error.code).toBe('OUTPUT_INVALID');
    await expect(pool.run(await node(), fn('echo', 'still here'), callContext())).resolves.toMatchObject({ input: 'still here' });
  });

  it('names a missing executor UNKNOWN_EXECUTOR', async () => {
    const entry = { ...(await node()), name: 'nope' };
    await expect(pool.run(entry, {}, callContext())).rejects.toMatchObject({ code: 'UNKNOWN_EXECUTOR' });
  });
});

describe('abort reasons', () => {
  const waitWith = async (abort: (c: AbortController) => void) => {
    const dir = makeTempDir();
    const input = { startedFile: path.join(dir, 's'), abortedFile: path.join(dir, 'a') };
    const controller = new AbortController();
    const call = pool.run(await node(), fn('waitForAbortMarked', input), callContext(), { signal: controller.signal });
    await waitFor(() => existsSync(input.startedFile), 'the call to start');
    abort(controller);
    return failure(call);
  };

  it('a plain abort is TASK_CANCELLED, not retryable', async () => {
    expect(await waitWith((c) => c.abort())).toMatchObject({ code: 'TASK_CANCELLED', retryable: false });
  });

  it("the reason 'TASK_TIMEOUT' is TASK_TIMEOUT, retryable", async () => {
    expect(await waitWith((c) => c.abort('TASK_TIMEOUT'))).toMatchObject({ code: 'TASK_TIMEOUT', retryable: true });
  });

  it('AbortSignal.timeout is TASK_TIMEOUT', async () => {
    const error = await failure(pool.run(await node(), fn('waitForAbort'), callContext(), { signal: AbortSignal.timeout(200) }));
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', retryable: true });
  });

  it('a WeftError reason is used as it is', async () => {
    const reason = new WeftError('BUDGET_EXCEEDED', 'budget spent');
    expect(await waitWith((c) => c.abort(reason))).toMatchObject({ code: 'BUDGET_EXCEEDED', message: 'budget spent' });
  });
});

describe('cancellation paths', () => {
  it('cancels a call still queued behind another without ever running it', async () => {
    const single = createExecutorPool({ workers: 1, tasksPerWorker: 1 });
    try {
      const dir = makeTempDir();
      const first = { startedFile: path.join(dir, 'first'), abortedFile: path.join(dir, 'first-aborted') };
      const second = { startedFile: path.join(dir, 'second'), abortedFile: path.join(dir, 'second-aborted') };
      const a = new AbortController();
      const b = new AbortController();
      const firstCall = single.run(await node(), fn('waitForAbortMarked', first), callContext(), { signal: a.signal });
      const secondCall = single.run(await node(), fn('waitForAbortMarked', second), callContext(), { signal: b.signal });
      await waitFor(() => existsSync(first.startedFile), 'the first call to start');
      b.abort();
      a.abort();
      // Both at once: the queued call may reject the moment it is aborted.
      await Promise.all([
        expect(firstCall).rejects.toMatchObject({ code: 'TASK_CANCELLED' }),
        expect(secondCall).rejects.toMatchObject({ code: 'TASK_CANCELLED' }),
      ]);
      // The queued call was dropped (or its worker returned without calling it) after the abort.
      await expect(single.run(await node(), fn('echo', 1), callContext())).resolves.toMatchObject({ input: 1 });
      expect(existsSync(second.startedFile)).toBe(false);
    } finally {
      await single.destroy();
    }
  });

  it('settles the call of an executor that ignores its signal after the grace period, and keeps serving', async () => {
    const strict = createExecutorPool({ workers: 1, graceMs: 200 });
    try {
      const controller = new AbortController();
      const call = strict.run(await node(), fn('ignoreAbort'), callContext(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
      // The pool still takes calls (the stubborn call's thread is ended when the pool closes).
      await expect(strict.run(await node(), fn('echo', 'next'), callContext())).resolves.toMatchObject({ input: 'next' });
    } finally {
      await strict.destroy();
    }
  });

  it('refuses calls after destroy and destroys twice without error', async () => {
    const short = createExecutorPool({ workers: 1 });
    await short.destroy();
    await short.destroy();
    await expect(short.run(await node(), fn('echo'), callContext())).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
  });
});

describe('logs, batches, concurrency', () => {
  it('delivers every log line, in order, before the call resolves', async () => {
    const lines: string[] = [];
    const count = await pool.run(await node(), fn('logLines', { count: 200 }), callContext(), {
      onLog: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(count).toBe(200);
    expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => `${i % 2 ? 'stderr' : 'stdout'}:line ${i}`));
  });

  it('keeps the lines of concurrent calls apart', async () => {
    const seen = [[], []] as string[][];
    await Promise.all(
      [0, 1].map(async (k) =>
        pool.run(await node(), fn('logLines', { count: 20 + k }), callContext(), { onLog: (_s, line) => seen[k]!.push(line) }),
      ),
    );
    expect(seen.map((s) => s.length)).toEqual([20, 21]);
  });

  it('runs a batch through the executor runBatch hook in one call', async () => {
    const moduleUrl = pathToFileURL(path.join(modulesDir, 'batch-plugin.js')).href;
    const batchy = (await import(moduleUrl)) as { executors: { double: ExecutorEntry['executor'] } };
    const entry: ExecutorEntry = { name: 'double', executor: batchy.executors.double, moduleUrl, source: 'test' };
    const lines: string[] = [];
    const results = await pool.runBatch(entry, [{ n: 1 }, { n: 'x' }, { n: 3 }], callContext(), { onLog: (_s, l) => lines.push(l) });
    expect(results).toEqual([
      { ok: true, output: 2 },
      { ok: false, error: { code: 'OUTPUT_INVALID', message: 'not a number' } },
      { ok: true, output: 6 },
    ]);
    expect(lines).toEqual(['batch of 3']);
  });

  it('runs a batch item by item when the executor has no runBatch hook, errors as data', async () => {
    const results = await pool.runBatch(await node(), [fn('echo', 'a'), fn('fail')], callContext());
    expect(results[0]).toMatchObject({ ok: true, output: { input: 'a' } });
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'TASK_FAILED', retryable: true } });
  });

  it('overlaps waiting calls on a single worker thread', async () => {
    const spans = (await Promise.all(
      [0, 1, 2, 3].map(async () => pool.run(await node(), fn('hold', { ms: 400 }), callContext())),
    )) as Array<{ startedAt: number; endedAt: number }>;
    const firstEnd = Math.min(...spans.map((s) => s.endedAt));
    for (const span of spans) expect(span.startedAt).toBeLessThan(firstEnd);
  });
});
