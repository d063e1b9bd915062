import { describe, expect, it } from 'vitest';
import { createExecutorPool } from '../../engine/pool/local.js';
import { runPipeline } from '../../engine/run/run.js';
import { loadValid, makeProject } from '../support/project.js';
import { fakeEnv, startFake } from './support.js';

// A pool outlives a lull in which the server closes its idle keep-alive connections. Worker
// threads must keep servicing their sockets while idle, or the next calls reuse dead ones.
describe('a pool kept across runs', () => {
  it('still reaches the API after the server closed its idle connections', { timeout: 60_000 }, async () => {
    const fake = await startFake({ latencyMs: 100 });
    const dir = makeProject({
      'pipeline.yaml': `inputs: { prompts: { type: array, default: [] } }
models: { default: claude-haiku-5-5 }
tasks:
  ask:
    forEach: "{{inputs.prompts}}"
    uses: llm
    cache: false
    with: { prompt: "{{item}}", maxTokens: 16 }
`,
    });
    const pipeline = await loadValid(dir);
    const pool = createExecutorPool({ workers: 2 });
    try {
      const prompts = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag} ${i}`);
      const run = (tag: string, n: number, concurrency: number) =>
        runPipeline(pipeline, { pool, concurrency, inputs: { prompts: prompts(tag, n) }, env: fakeEnv(fake) });
      // Wide, then one call at a time for longer than the server's 5 s keep-alive, then wide
      // again: the wide run's connections, idle all along, were closed by the server meanwhile,
      // and the threads must have noticed (measured: 92 of 100 calls failed before the fix).
      for (const [tag, n, concurrency] of [['wide', 20, 10], ['narrow', 60, 1], ['wide-again', 20, 10]] as const) {
        const report = await run(tag, n, concurrency);
        const failed = Object.entries(report.tasks).filter(([, t]) => t.status !== 'success');
        expect(failed, tag).toEqual([]);
      }
    } finally {
      await pool.destroy();
      await fake.close();
    }
  });
});
