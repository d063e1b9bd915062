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
afterAll(() => pool.destroy());

async function entry(name: 'give' | 'late'): Promise<ExecutorEntry> {
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
