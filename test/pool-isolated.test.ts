// Isolated threads (node and `isolate` plugin executors) take a turn's calls in one message and
// answer a turn's results in one: a result that cannot cross fails alone, its neighbours arrive.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../engine/errors.js';
import type { ExecutorEntry } from '../engine/executor.js';
import { Cancellation } from '../engine/pool/cancellation.js';
import { createExecutorPool } from '../engine/pool/local.js';
import { waitFor } from './support/wait.js';
import { callContext, makeTempDir, modulesDir } from './plugins/helpers.js';

const pool = createExecutorPool({ workers: 1 });
// Its chains never give calls back for running long: only a stop or a cancellation does.
const patient = createExecutorPool({ workers: 2, chainReleaseMs: 60_000 });
afterAll(() => Promise.all([pool.destroy(), patient.destroy()]));

async function entry(name: 'give' | 'late' | 'span' | 'spread'): Promise<ExecutorEntry> {
  const moduleUrl = pathToFileURL(path.join(modulesDir, 'isolated-plugin.js')).href;
  const mod = (await import(moduleUrl)) as { executors: Record<string, ExecutorEntry['executor']> };
  return { name, executor: mod.executors[name]!, moduleUrl, source: 'test' };
}

describe('isolated threads', () => {
  it('fails only the result that cannot cross threads among results sent together', async () => {
    const give = await entry('give');
    // Sent in one turn, they reach the thread in one message and end in one turn there.
    const calls = [1, 2, 3].map((value) => pool.run(give, { value, uncloneable: value === 2 }, callContext()));
    const settled = await Promise.allSettled(calls);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: { value: 1 } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: 'OUTPUT_INVALID' } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: { value: 3 } });
  });

  it('runs many calls sent in one turn, each answered once, in any order', async () => {
    const give = await entry('give');
    const values = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(values.map((value) => pool.run(give, { value }, callContext())));
    expect(results).toEqual(values.map((value) => ({ value })));
  });

  it("gives an executor a context whose spread keeps every field, its signal a real AbortSignal", async () => {
    const copy = await pool.run(await entry('spread'), {}, callContext({ model: 'claude-test', timeoutMs: 5000 }));
    expect(copy).toEqual({
      keys: ['attempt', 'env', 'log', 'model', 'options', 'root', 'signal', 'taskId', 'timeoutMs'],
      signal: true,
      aborted: false,
      env: 'string',
    });
  });

  it('gives an executor that reads ctx.signal after a cancellation a signal already aborted, with the reason', async () => {
    const dir = makeTempDir();
    const [started, file] = [path.join(dir, 'started'), path.join(dir, 'seen.json')];
    const cancel = new Cancellation();
    const call = pool.run(await entry('late'), { ms: 300, started, file }, callContext(), { signal: cancel });
    await waitFor(() => existsSync(started), 'the executor to start');
    cancel.abort(new WeftError('TASK_CANCELLED', 'stop'));
    await expect(call).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
    await waitFor(() => existsSync(file), 'the executor to write what it saw');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ aborted: true, reason: 'TASK_CANCELLED' });
  });
});

describe('chained calls on isolated threads', () => {
  type Span = { start: number; end: number; thread: number };

  it('runs the calls of one chain one after another, in order, on one thread', async () => {
    const span = await entry('span');
    // One call on each thread first: a thread still starting (a busy machine) would hold the free call back.
    await Promise.all([0, 1].map(() => patient.run(span, {}, callContext())));
    const chain = {};
    const calls = [0, 1, 2, 3].map((i) => patient.run(span, { ms: 30 }, callContext({ taskId: `c${i}` }), { chain }) as Promise<Span>);
    // Made in the same turn but with no chain: free to run beside them, on either thread.
    const free = patient.run(span, { ms: 30 }, callContext()) as Promise<Span>;
    const spans = await Promise.all(calls);
    expect(new Set(spans.map((s) => s.thread)).size).toBe(1);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    const alone = await free;
    expect(alone.start).toBeLessThan(spans[3]!.start);
  });

  it('gives back the calls queued behind one that runs long, while it still runs', async () => {
    const span = await entry('span');
    const chain = {};
    const settled: string[] = [];
    const note = (name: string) => (value: unknown) => (settled.push(name), value);
    const slow = pool.run(span, { ms: 400 }, callContext(), { chain }).then(note('slow'), note('slow'));
    const behind = [1, 2].map((i) => pool.run(span, { ms: 1 }, callContext(), { chain }).then(note(`ok ${i}`), note(`back ${i}`)));
    await Promise.all([slow, ...behind]);
    expect(settled).toEqual(['back 1', 'back 2', 'slow']);
    // One that holds its thread is noticed when it ends, before the next would start.
    const busy = pool.run(span, { busy: 50 }, callContext(), { chain: {} });
    const after = pool.run(span, { ms: 1 }, callContext(), { chain: {} });
    await expect(busy).resolves.toMatchObject({ thread: expect.any(Number) });
    await expect(after).resolves.toMatchObject({ thread: expect.any(Number) });
    const sameChain = {};
    const busy2 = pool.run(span, { busy: 50 }, callContext(), { chain: sameChain });
    const next = pool.run(span, { ms: 1 }, callContext(), { chain: sameChain });
    await Promise.all([
      expect(busy2).resolves.toMatchObject({ thread: expect.any(Number) }),
      expect(next).rejects.toMatchObject({ code: 'NOT_STARTED' }),
    ]);
  });

  it('starts none of a chain\'s calls left once told to stop chains: they reject NOT_STARTED', async () => {
    const dir = makeTempDir();
    const started = path.join(dir, 'started');
    const span = await entry('span');
    const chain = {};
    const first = patient.run(span, { ms: 200, started }, callContext(), { chain });
    const rest = [1, 2].map(() => patient.run(span, { ms: 1 }, callContext(), { chain }));
    await waitFor(() => existsSync(started), 'the first call to start');
    patient.stopChains!();
    await Promise.all([
      expect(first).resolves.toMatchObject({ thread: expect.any(Number) }),
      ...rest.map((call) => expect(call).rejects.toMatchObject({ code: 'NOT_STARTED' })),
    ]);
    // Chains made after the stop run as before.
    const later = {};
    const again = [1, 2].map(() => patient.run(span, { ms: 1 }, callContext(), { chain: later }));
    for (const call of again) await expect(call).resolves.toMatchObject({ thread: expect.any(Number) });
  });

  it('rejects a cancelled chained call that had not started with NOT_STARTED, one that ran with its reason', async () => {
    const dir = makeTempDir();
    const started = path.join(dir, 'started');
    const late = await entry('late');
    const span = await entry('span');
    const chain = {};
    const [cancelFirst, cancelSecond] = [new Cancellation(), new Cancellation()];
    const first = patient.run(late, { ms: 200, started, file: path.join(dir, 'seen.json') }, callContext(), { chain, signal: cancelFirst });
    const second = patient.run(span, { ms: 1 }, callContext(), { chain, signal: cancelSecond });
    await waitFor(() => existsSync(started), 'the first call to start');
    cancelSecond.abort(new WeftError('TASK_CANCELLED', 'stop'));
    cancelFirst.abort(new WeftError('TASK_CANCELLED', 'stop'));
    await Promise.all([
      expect(first).rejects.toMatchObject({ code: 'TASK_CANCELLED' }),
      expect(second).rejects.toMatchObject({ code: 'NOT_STARTED' }),
    ]);
  });
});

describe('Cancellation', () => {
  it('calls its listeners once, in order, with the reason set; removed ones and late ones never', () => {
    const cancel = new Cancellation();
    const heard: string[] = [];
    const removed = () => heard.push('removed');
    cancel.addEventListener('abort', () => heard.push(`fn ${String(cancel.reason)}`));
    cancel.addEventListener('abort', { handleEvent: () => heard.push('object') });
    cancel.addEventListener('abort', removed);
    cancel.removeEventListener('abort', removed);
    cancel.abort('why');
    cancel.abort('again');
    cancel.addEventListener('abort', () => heard.push('late'));
    expect(heard).toEqual(['fn why', 'object']);
    expect(cancel).toMatchObject({ aborted: true, reason: 'why' });
  });

  it('makes a real AbortSignal on demand, aborted with the same reason before or after', () => {
    const before = new Cancellation();
    before.abort('early');
    expect(before.signal).toMatchObject({ aborted: true, reason: 'early' });
    const after = new Cancellation();
    const signal = after.signal;
    expect(signal.aborted).toBe(false);
    after.abort('later');
    expect(signal).toMatchObject({ aborted: true, reason: 'later' });
  });

  it('aborts with an AbortError when given no reason, as AbortController does', () => {
    const cancel = new Cancellation();
    cancel.abort();
    expect(cancel.reason).toBeInstanceOf(DOMException);
    expect((cancel.reason as DOMException).name).toBe('AbortError');
  });
});
