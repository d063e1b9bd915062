// Quick node tasks share run-wide slots in chains (one message to a thread for many calls), and
// a chain still runs its calls one after another: never more than `concurrency` at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutorPool, type ExecutorPool } from '../../engine/pool/local.js';
import { runPipeline } from '../../engine/run/run.js';
import type { RunEvent, RunReport } from '../../engine/types.js';
import { loadValid, makeProject } from '../support/project.js';

// A call counts as quick up to 50 ms here, so a busy test machine does not keep chains from forming.
const pool = createExecutorPool({ workers: 2, chainQuickMs: 50 });
afterAll(() => pool.destroy());

/** Each call writes its start and end to log.txt in the project, from the worker thread itself. */
const stamp = `import { appendFileSync } from 'node:fs';
import path from 'node:path';
export default function stamp(input, { root }) {
  const log = path.join(root, 'log.txt');
  appendFileSync(log, 'start ' + (performance.timeOrigin + performance.now()) + '\\n');
  if (input === 'fail') throw new Error('failed on purpose');
  if (input === 'wait') return new Promise(() => {});
  if (input === 'spin') for (;;);
  appendFileSync(log, 'end ' + (performance.timeOrigin + performance.now()) + '\\n');
  return input;
}
`;

function peakFromLog(dir: string): number {
  const events = readFileSync(path.join(dir, 'log.txt'), 'utf8').trim().split('\n').map((line) => {
    const [kind, at] = line.split(' ');
    return { at: Number(at), step: kind === 'start' ? 1 : -1 };
  });
  events.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let peak = 0;
  for (const e of events) peak = Math.max(peak, (now += e.step));
  return peak;
}

/** The pool, recording how many calls each chain it was given held, and each stopChains. */
function countingPool(): { pool: ExecutorPool; longest: () => number; stops: () => number } {
  const sizes = new Map<object, number>();
  let stops = 0;
  const counting: ExecutorPool = {
    ...pool,
    run(entry, withValues, ctx, opts) {
      if (opts?.chain) sizes.set(opts.chain, (sizes.get(opts.chain) ?? 0) + 1);
      return pool.run(entry, withValues, ctx, opts);
    },
    stopChains() {
      stops++;
      pool.stopChains!();
    },
  };
  return { pool: counting, longest: () => Math.max(0, ...sizes.values()), stops: () => stops };
}

type Extra = { head?: string; input?: (i: number) => string; signal?: AbortSignal; onEvent?: (e: RunEvent) => void; timeout?: string };

async function run(count: number, extra: Extra = {}) {
  const timeout = extra.timeout ? `, timeout: ${extra.timeout}` : '';
  const tasks = Array.from({ length: count }, (_, i) => `  t${i}: { uses: node, with: { module: stamp.mjs, input: ${extra.input?.(i) ?? i} }${timeout} }`);
  const dir = makeProject({ 'stamp.mjs': stamp, 'pipeline.yaml': `name: chains\n${extra.head ?? 'concurrency: 2'}\ntasks:\n${tasks.join('\n')}\n` });
  const counting = countingPool();
  const report = await runPipeline(await loadValid(dir), { pool: counting.pool, signal: extra.signal, onEvent: extra.onEvent });
  return { report, dir, longest: counting.longest(), stops: counting.stops() };
}

const statuses = (report: RunReport) => Object.values(report.tasks).map((t) => (t.status === 'skipped' ? `skipped:${t.reason}` : t.status));

describe('chains of quick node tasks', () => {
  it('puts quick tasks in chains, and never runs more than `concurrency` at once', async () => {
    const { report, dir, longest } = await run(400);
    expect(report.status).toBe('success');
    expect(longest).toBeGreaterThan(1);
    expect(peakFromLog(dir)).toBeLessThanOrEqual(2);
  });

  it('under failFast, starts nothing after a failure: chained tasks not started end skipped', async () => {
    const { report, longest, stops } = await run(400, { input: (i) => (i === 300 ? 'fail' : String(i)) });
    expect(longest).toBeGreaterThan(1);
    // The calls already in chains were told not to start.
    expect(stops).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.tasks['t300']).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('failed on purpose') } });
    const seen = new Set(statuses(report));
    expect([...seen].every((s) => ['success', 'failed', 'skipped:cancelled'].includes(s))).toBe(true);
    expect(seen.has('skipped:cancelled')).toBe(true);
    expect(JSON.stringify(report)).not.toContain('NOT_STARTED');
  });

  it('with keepGoing, runs every other task after a failure, chained or not', async () => {
    const { report, stops } = await run(400, { head: 'concurrency: 2\nfailFast: false', input: (i) => (i === 300 ? 'fail' : String(i)) });
    expect(stops).toBe(0);
    expect(statuses(report).filter((s) => s !== 'success')).toEqual(['failed']);
  });

  it('cancelled mid-run, ends every task (skipped, cancelled or done) and never reports NOT_STARTED', async () => {
    const controller = new AbortController();
    let ended = 0;
    // Cancelled once chains are going, from the event loop rather than inside an event.
    const onEvent = (e: RunEvent) => e.type === 'task:end' && ++ended === 500 && setImmediate(() => controller.abort());
    const { report, longest } = await run(3000, { signal: controller.signal, onEvent });
    expect(longest).toBeGreaterThan(1);
    const seen = new Set(statuses(report));
    expect(seen.has('skipped:cancelled')).toBe(true);
    expect([...seen].every((s) => ['success', 'cancelled', 'skipped:cancelled'].includes(s))).toBe(true);
    expect(JSON.stringify(report)).not.toContain('NOT_STARTED');
  });

  it('lets the tasks chained behind one that never settles run elsewhere; it times out alone', async () => {
    const { report, longest } = await run(400, { head: 'concurrency: 2\nfailFast: false', timeout: '1s', input: (i) => (i === 200 ? 'wait' : String(i)) });
    expect(longest).toBeGreaterThan(1);
    expect(report.tasks['t200']).toMatchObject({ status: 'failed', error: { code: 'TASK_TIMEOUT' } });
    expect(statuses(report).filter((s) => s !== 'success')).toEqual(['failed']);
    // Given back while it hung, not when its thread was replaced seconds later.
    const hungEnd = (report.tasks['t200'] as { endedAt: number }).endedAt;
    const lastOther = Math.max(...Object.entries(report.tasks).filter(([id]) => id !== 't200').map(([, t]) => (t as { endedAt: number }).endedAt));
    expect(lastOther).toBeLessThan(hungEnd);
  });

  it('replaces a thread stuck in a chained task that never yields; the tasks behind it still run', async () => {
    const { report, longest } = await run(400, { head: 'concurrency: 2\nfailFast: false', timeout: '1s', input: (i) => (i === 200 ? 'spin' : String(i)) });
    expect(longest).toBeGreaterThan(1);
    expect(report.tasks['t200']).toMatchObject({ status: 'failed', error: { code: 'TASK_TIMEOUT' } });
    expect(statuses(report).filter((s) => s !== 'success')).toEqual(['failed']);
  });
});
