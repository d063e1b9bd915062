import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../engine/load.js';
import { planPipeline } from '../engine/plan.js';
import { formatProblem } from '../engine/errors.js';
import { runPipeline } from '../engine/run.js';
import type { Pipeline } from '../engine/types.js';

const root = path.resolve(import.meta.dirname, '..');
const files = readdirSync(path.join(root, 'pipelines')).filter((f) => /\.ya?ml$/.test(f)).sort();

async function load(file: string): Promise<Pipeline> {
  const { pipeline, problems } = await loadPipeline(path.join(root, 'pipelines', file), { cwd: root });
  expect(problems.map(formatProblem)).toEqual([]);
  return pipeline!;
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

  // The examples that need no key run for real: each one's last task checks its own claim.
  it.each(['hello.yaml', 'fan-out.yaml', 'locks.yaml', 'pools.yaml'])('%s runs to success', async (file) => {
    const report = await runPipeline(await load(file), { env: { PATH: process.env.PATH } });
    const failed = Object.entries(report.tasks).filter(([, r]) => r.status !== 'success');
    expect(failed).toEqual([]);
    expect(report.status).toBe('success');
  });

  it('fan-out.yaml totals as many files as it listed', async () => {
    const report = await runPipeline(await load('fan-out.yaml'), { env: { PATH: process.env.PATH } });
    const listed = (report.tasks.files as { output: { json: string[] } }).output.json;
    expect(report.outputs.files).toBe(listed.length);
    expect(Object.keys(report.tasks).filter((id) => id.startsWith('measure['))).toHaveLength(listed.length);
    expect(report.outputs.lines).toBeGreaterThan(listed.length);
  });

  it('pools.yaml keeps the observed rate near the pool\'s limit plus burst', async () => {
    const report = await runPipeline(await load('pools.yaml'), { env: { PATH: process.env.PATH } });
    const rate = report.outputs.rate as { calls: number; peakPerSecond: number };
    expect(rate.calls).toBe(12);
    // limit 5/s with a bucket of 2: never all 12 within one second.
    expect(rate.peakPerSecond).toBeLessThanOrEqual(7);
  });

  it('review.yaml allocates models by tag and by task id', async () => {
    const plan = planPipeline(await load('review.yaml'));
    expect(plan.models.security).toBe('claude-opus-5-5');
    expect(plan.models.summary).toBe('claude-sonnet-5-5');
    expect(plan.models.review).toBe('claude-haiku-5-5');
  });
});
