// A throw-away project folder for the run and llm benches: worker modules, pipelines, and the
// bits of measurement both need (a loaded pipeline, a bare Piscina pool, peak RSS).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { formatProblem } from '../../engine/errors.js';
import { loadPipeline } from '../../engine/load/load.js';
import type { Pipeline, RunReport } from '../../engine/types.js';

/** Modules the generated pipelines call: a no-op, a sleep, and the bare-Piscina worker around the no-op. */
const modules: Record<string, string> = {
  'noop.mjs': 'export default function noop(input) {\n  return input;\n}\n',
  'sleep.mjs': 'export default function sleep(ms) {\n  return new Promise((resolve) => setTimeout(resolve, ms));\n}\n',
  'bare-worker.mjs': "import noop from './noop.mjs';\nexport default function run(input) {\n  return noop(input);\n}\n",
};

export type BenchProject = {
  dir: string;
  /** Write `pipelines/<name>.yaml`; returns its path. */
  write(name: string, text: string): string;
  /** Load and validate a pipeline written with `write`; throws with its problems when it is invalid. */
  load(name: string): Promise<Pipeline>;
  /** file: URL of a module of the project, e.g. `bare-worker.mjs`. */
  url(file: string): string;
  remove(): void;
};

/**
 * A temp project holding noop.mjs, sleep.mjs and bare-worker.mjs.
 * @example const project = createProject(); const p = await project.load('x'); project.remove();
 */
export function createProject(): BenchProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-run-'));
  mkdirSync(path.join(dir, 'pipelines'));
  for (const [file, text] of Object.entries(modules)) writeFileSync(path.join(dir, file), text);
  const fileOf = (name: string) => path.join(dir, 'pipelines', `${name}.yaml`);
  return {
    dir,
    write(name, text) {
      writeFileSync(fileOf(name), text);
      return fileOf(name);
    },
    async load(name) {
      const { pipeline, problems } = await loadPipeline(fileOf(name), { cwd: dir });
      if (!pipeline || problems.length > 0) throw new Error(`bench pipeline ${name} is invalid:\n${problems.slice(0, 5).map(formatProblem).join('\n')}`);
      return pipeline;
    },
    url: (file) => pathToFileURL(path.join(dir, file)).href,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Throws unless every task of the run succeeded: a benchmark of failures measures nothing. */
export function assertSucceeded(report: RunReport): RunReport {
  if (report.status !== 'success') {
    const failed = Object.entries(report.tasks).find(([, r]) => r.status !== 'success');
    const detail = failed ? `${failed[0]}: ${JSON.stringify(failed[1]).slice(0, 300)}` : '';
    throw new Error(`bench run ${report.pipeline} ended ${report.status} ${detail}`);
  }
  return report;
}

/**
 * A bare Piscina pool on bare-worker.mjs, sized like weft's: the least a thread pool costs.
 * @example const bare = barePool(project, 2, 64); await Promise.all([bare.run(1)]); await bare.close();
 */
export function barePool(project: BenchProject, threads: number, tasksPerWorker?: number): Piscina {
  return new Piscina({
    filename: project.url('bare-worker.mjs'),
    minThreads: threads,
    maxThreads: threads,
    ...(tasksPerWorker ? { concurrentTasksPerWorker: tasksPerWorker } : {}),
  });
}

/** `count` calls straight to a Piscina pool, all at once. */
export function runBare(pool: Piscina, count: number): Promise<unknown[]> {
  const calls: Promise<unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) calls[i] = pool.run(i);
  return Promise.all(calls);
}

/** `count` calls straight to a Piscina pool, `inFlight` at a time: each one sent as another ends. */
export async function runBareLimited(pool: Piscina, count: number, inFlight: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await pool.run(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/**
 * Wall time and peak RSS of `fn`, RSS sampled every 50 ms (worker threads share the process, so
 * their heaps are in it).
 */
export async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; peakRss: number; startRss: number; value: T }> {
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const start = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - start;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { ms, peakRss, startRss, value };
  } finally {
    clearInterval(sampler);
  }
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
