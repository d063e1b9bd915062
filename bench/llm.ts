// LLM fleets against the fake Messages API (test/support/fake-anthropic.ts, started in this
// process): how close a rate-limited pool gets to the server's limit without tripping it, and
// how well concurrency turns into speed-up when every call waits on the network.
import { performance } from 'node:perf_hooks';
import { createExecutorPool, type ExecutorPool } from '../engine/pool/local.js';
import { runPipeline } from '../engine/run/run.js';
import type { Pipeline, RunEvent, RunReport } from '../engine/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../test/support/fake-anthropic.js';
import { registerSection, type BenchContext } from './harness.js';
import { createProject, type BenchProject } from './support/project.js';

/** Aims from issue 4. */
const aims = { rateRatio: 1.15, share429: 0.05, speedUp: 9 };
const apiKey = 'bench-dummy-key';

const verdict = (met: boolean, aim: string) => ` (aim ${aim}: ${met ? 'met' : 'MISSED'})`;

/** An llm forEach over `inputs.prompts`, every call to the fake (no answer cache). */
function llmPipeline(name: string, head: string[], task: string[]): string {
  return [
    `name: ${name}`,
    'inputs:',
    '  prompts: { type: array, default: [] }',
    'models: { default: claude-haiku-5-5 }',
    ...head,
    'tasks:',
    '  ask:',
    '    forEach: "{{inputs.prompts}}"',
    '    uses: llm',
    '    cache: false',
    ...task.map((l) => `    ${l}`),
    '    with: { prompt: "{{item}}", maxTokens: 64 }',
    '',
  ].join('\n');
}

const prompts = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag} prompt ${i}`);

type LlmRun = { ms: number; report: RunReport; retries: number; requests: number };

/** One timed run against `fake`, counting the requests it received and the retries weft made. */
async function runAgainst(fake: FakeAnthropic, pipeline: Pipeline, pool: ExecutorPool, items: string[], concurrency?: number): Promise<LlmRun> {
  fake.reset();
  let retries = 0;
  const start = performance.now();
  const report = await runPipeline(pipeline, {
    pool,
    inputs: { prompts: items },
    env: { ANTHROPIC_API_KEY: apiKey, ANTHROPIC_BASE_URL: fake.url },
    ...(concurrency ? { concurrency } : {}),
    onEvent: (e: RunEvent) => {
      if (e.type === 'task:retry') retries++;
    },
  });
  const ms = performance.now() - start;
  return { ms, report, retries, requests: fake.messageRequests().length };
}

function failedOf(report: RunReport): number {
  return Object.values(report.tasks).filter((r) => r.status !== 'success').length;
}

/**
 * 5. 200 calls through an adaptive pool limited to 20/s, against a fake that 429s beyond 20 in
 * any 1 s window. Run twice: with the pool's default burst (= limit) and with `burst: 1`, since
 * a bucket that starts full lets burst + refill through in the first second.
 */
async function rateLimited(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 200;
  const perSecond = 20;
  const latencyMs = 50;
  const idealMs = (count / perSecond) * 1000;
  ctx.row({ label: `ideal: ${count} requests at ${perSecond}/s`, ms: idealMs, baselineMs: idealMs, note: 'computed' });
  const fake = await startFakeAnthropic({ apiKey, latencyMs, rateLimit: { requests: perSecond, per: 'second' } });
  try {
    for (const burst of [undefined, 1]) {
      const name = burst === undefined ? 'llm-rate' : `llm-rate-burst-${burst}`;
      const rate = `{ limit: ${perSecond}, per: second${burst === undefined ? '' : `, burst: ${burst}`} }`;
      project.write(
        name,
        llmPipeline(
          name,
          ['concurrency: 20', 'pools:', `  ai: { concurrency: 20, rate: ${rate}, adaptive: true }`],
          ['pool: ai', 'retry: { attempts: 5, delay: 200ms, backoff: exponential, jitter: true }'],
        ),
      );
      const pipeline = await project.load(name);
      // Warm-up: the SDK loads in the workers; then wait out the fake's window so the timed run starts clean.
      await runAgainst(fake, pipeline, pool, prompts(4, 'warm'));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const run = await runAgainst(fake, pipeline, pool, prompts(count, name));
      const failed = failedOf(run.report);
      const rejected = run.requests - (count - failed);
      const share = rejected / run.requests;
      const ok = run.ms / idealMs <= aims.rateRatio && failed === 0 && share < aims.share429;
      const aim = burst === undefined ? verdict(ok, '≤ 1.15x, 0 failed, < 5% 429') : '';
      ctx.row({
        label: `weft, ${count} llm tasks, pool rate ${rate} adaptive, fake ${perSecond}/s, ${latencyMs} ms latency${aim}`,
        ms: run.ms,
        baselineMs: idealMs,
        note: `${failed} failed; ${run.requests} requests, ${rejected} answered 429 (${(share * 100).toFixed(1)}%); ${run.retries} retries`,
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
  } finally {
    await fake.close();
  }
}

/** 6. 100 calls of 100 ms latency at concurrency 10 vs at concurrency 1. */
async function speedUp(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 100;
  const fake = await startFakeAnthropic({ apiKey, latencyMs: 100 });
  try {
    project.write('llm-latency', llmPipeline('llm-latency', [], []));
    const pipeline = await project.load('llm-latency');
    await runAgainst(fake, pipeline, pool, prompts(20, 'warm'), 10);
    const serial = await runAgainst(fake, pipeline, pool, prompts(count, 'serial'), 1);
    const parallel = await runAgainst(fake, pipeline, pool, prompts(count, 'parallel'), 10);
    const inFlight = fake.maxInFlight;
    for (const run of [serial, parallel]) {
      if (failedOf(run.report) > 0) throw new Error(`llm-latency: ${failedOf(run.report)} tasks did not succeed: ${JSON.stringify(Object.values(run.report.tasks).find((r) => r.status !== 'success'))}`);
    }
    const speed = serial.ms / parallel.ms;
    ctx.row({ label: `weft, ${count} llm tasks of 100 ms, concurrency 1 (baseline)`, ms: serial.ms, baselineMs: serial.ms });
    ctx.row({
      label: `weft, ${count} llm tasks of 100 ms, concurrency 10${verdict(speed >= aims.speedUp, 'speed-up ≥ 9x')}`,
      ms: parallel.ms,
      baselineMs: serial.ms,
      note: `speed-up ${speed.toFixed(2)}x; most requests in flight at the fake: ${inFlight}`,
    });
  } finally {
    await fake.close();
  }
}

registerSection({
  name: 'llm',
  description: 'llm fleets against the in-process fake API: a 20/s pool vs a 20/s server, and concurrency 10 vs 1 at 100 ms latency',
  async run(ctx) {
    const project = createProject();
    const pool = createExecutorPool();
    try {
      await rateLimited(ctx, project, pool);
      await speedUp(ctx, project, pool);
    } finally {
      await pool.destroy();
      project.remove();
    }
  },
});
