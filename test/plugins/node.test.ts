// node through the real pool: module resolution, exports, input and output, its context.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutorPool } from '../../engine/pool/local.js';
import { builtinEntry, callContext, makeTempDir } from './helpers.js';

const pool = createExecutorPool({ workers: 1 });
afterAll(() => pool.destroy());
const run = async (w: Record<string, unknown>, root?: string) => pool.run(await builtinEntry('node'), w, callContext(root ? { root } : {}));

describe('node executor', () => {
  it('passes input and returns structured output, Dates and Maps intact', async () => {
    const root = makeTempDir();
    writeFileSync(
      path.join(root, 'shape.mjs'),
      'export function shape(input, ctx) { return { sum: input.a + input.b, when: new Date(0), tags: new Map([["k", 1]]), taskId: ctx.taskId, hasSignal: ctx.signal instanceof AbortSignal }; }',
    );
    const out = await run({ module: 'shape.mjs', export: 'shape', input: { a: 2, b: 3 } }, root);
    expect(out).toMatchObject({ sum: 5, when: new Date(0), tags: new Map([['k', 1]]), hasSignal: true });
    expect((out as { taskId: string }).taskId).toMatch(/^test-/);
  });

  it("gives the function a context whose spread keeps every field, its signal a real AbortSignal", async () => {
    const root = makeTempDir();
    writeFileSync(
      path.join(root, 'spread.mjs'),
      'export default (input, ctx) => { const copy = { ...ctx }; return { keys: Object.keys(copy).sort(), signal: copy.signal instanceof AbortSignal, log: typeof copy.log }; };',
    );
    expect(await run({ module: 'spread.mjs' }, root)).toEqual({ keys: ['attempt', 'log', 'root', 'signal', 'taskId'], signal: true, log: 'function' });
  });

  it('calls the default export when export is not given', async () => {
    const root = makeTempDir();
    writeFileSync(path.join(root, 'main.js'), 'export default async (input) => `hello ${input}`;');
    writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    expect(await run({ module: './main.js', input: 'weft' }, root)).toBe('hello weft');
  });

  it('fails a missing export as TASK_FAILED, not retryable', async () => {
    await expect(run({ module: 'functions.js', export: 'nothingHere' })).rejects.toMatchObject({ code: 'TASK_FAILED', retryable: false });
  });

  it('fails a missing module as TASK_FAILED, not retryable', async () => {
    await expect(run({ module: 'no-such-module.js' })).rejects.toMatchObject({ code: 'TASK_FAILED', retryable: false });
  });
});
