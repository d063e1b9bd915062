import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadPipeline } from '../../engine/load/load.js';
import { runPipeline, type RunPipelineOptions } from '../../engine/run/run.js';
import { formatProblem } from '../../engine/errors.js';
import type { Pipeline, RunEvent, RunReport } from '../../engine/types.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty folder, removed after the test file. */
export function makeTempDir(prefix = 'weft-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A throwaway project folder with the given files (paths relative to it). */
export function makeProject(files: Record<string, string>): string {
  const dir = makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Load a pipeline file of a project, failing the test with every problem if it is invalid. */
export async function loadValid(dir: string, file = 'pipeline.yaml'): Promise<Pipeline> {
  const { pipeline, problems } = await loadPipeline(path.join(dir, file), { cwd: dir });
  if (!pipeline || problems.length) throw new Error(problems.map(formatProblem).join('\n'));
  return pipeline;
}

/** Write `yaml` as a pipeline in a fresh project, run it, and return the report and events. */
export async function runYaml(
  yaml: string,
  options: RunPipelineOptions & { files?: Record<string, string> } = {},
): Promise<{ report: RunReport; events: RunEvent[]; dir: string }> {
  const dir = makeProject({ 'pipeline.yaml': yaml, ...options.files });
  const pipeline = await loadValid(dir);
  const events: RunEvent[] = [];
  const report = await runPipeline(pipeline, {
    ...options,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  return { report, events, dir };
}

/** Largest number of tasks whose [startedAt, endedAt) intervals overlap at one instant. */
export function maxOverlap(report: RunReport, ids?: string[]): number {
  const points: Array<[number, number]> = [];
  for (const [id, r] of Object.entries(report.tasks)) {
    if (ids && !ids.includes(id)) continue;
    if ('startedAt' in r && r.startedAt !== undefined && r.endedAt !== undefined) {
      points.push([r.startedAt, 1], [r.endedAt, -1]);
    }
  }
  // Ends sort before starts at the same millisecond: touching intervals do not overlap.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (now += d));
  return max;
}
