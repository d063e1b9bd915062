import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../engine/load/load.js';
import { planPipeline } from '../engine/plan/plan.js';
import { formatProblem } from '../engine/errors.js';
import { runPipeline } from '../engine/run/run.js';
import type { Pipeline, RunReport } from '../engine/types.js';

const root = path.resolve(import.meta.dirname, '..');
const files = readdirSync(path.join(root, 'pipelines')).filter((f) => /\.ya?ml$/.test(f)).sort();

async function load(file: string): Promise<Pipeline> {
  const { pipeline, problems } = await loadPipeline(path.join(root, 'pipelines', file), { cwd: root });
  expect(problems.map(formatProblem)).toEqual([]);
  return pipeline!;
}

/** Run an example from the checkout; every task must succeed (locks.yaml's last task checks its own claim). */
async function runOk(file: string): Promise<RunReport> {
  const report = await runPipeline(await load(file), { env: { PATH: process.env.PATH } });
  expect(Object.entries(report.tasks).filter(([, r]) => r.status !== 'success')).toEqual([]);
  expect(report.status).toBe('success');
  return report;
}

describe('example pipelines', () => {
  it('there are at least five', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s starts with the schema line and validates', async (file) => {
    const text = readFileSync(path.join(root, 'pipelines', file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/pipeline.schema.json');
    await load(file);
  });

  // The examples that need no key run for real.
  it.each(['hello.yaml', 'locks.yaml'])('%s runs to success', async (file) => {
    await runOk(file);
  });

  it('fan-out.yaml totals as many files as it listed', async () => {
    const report = await runOk('fan-out.yaml');
    const listed = (report.tasks.files as { output: { json: string[] } }).output.json;
    expect(report.outputs.files).toBe(listed.length);
    expect(Object.keys(report.tasks).filter((id) => id.startsWith('measure['))).toHaveLength(listed.length);
    expect(report.outputs.lines).toBeGreaterThan(listed.length);
  });

  it('pools.yaml keeps the observed rate near the pool\'s limit plus burst', async () => {
    const report = await runOk('pools.yaml');
    const rate = report.outputs.rate as { calls: number; peakPerSecond: number };
    expect(rate.calls).toBe(12);
    // The scheduler's start times: limit 5/s with a bucket of 2 allows at most 2 + 5 starts in
    // any one second. A slow machine only lowers the count, so this cannot flake upward.
    const starts = Object.entries(report.tasks)
      .filter(([id]) => id.startsWith('call['))
      .map(([, r]) => (r as { startedAt: number }).startedAt)
      .sort((a, b) => a - b);
    expect(starts).toHaveLength(12);
    let peak = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[i]! - starts[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    expect(peak).toBeLessThanOrEqual(7);
  });

  it('review.yaml allocates models by tag and by task id', async () => {
    const plan = planPipeline(await load('review.yaml'));
    expect(plan.models.security).toBe('claude-opus-5-5');
    expect(plan.models.summary).toBe('claude-sonnet-5-5');
    expect(plan.models.review).toBe('claude-haiku-5-5');
  });
});
