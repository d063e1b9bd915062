// A project whose tasks report where and when they ran, for the queue tests.
import type { RunReport } from '../../engine/types.js';
import { runCli } from '../cli/support.js';
import { makeProject } from '../support/project.js';

/** Node task functions: each returns the worker's pid and its own start and end times. */
export const workModule = `
const wait = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
});
export function list(n) { return Array.from({ length: n ?? 12 }, (_, i) => i + 1); }
export async function square(n, { signal }) {
  const start = Date.now();
  await wait(100, signal);
  return { value: n * n, pid: process.pid, start, end: Date.now() };
}
export function sum(items) { return items.reduce((t, x) => t + x.value, 0); }
export async function hold(input, { signal }) {
  const start = Date.now();
  if (input.marker) (await import('node:fs')).writeFileSync(input.marker + '-' + process.pid, '');
  await wait(input.ms, signal);
  return { pid: process.pid, start, end: Date.now() };
}
export function big(mib) { return 'x'.repeat(mib * 1024 * 1024); }
export function env() { return { pid: process.pid, token: process.env.TOKEN ?? null, fromPipeline: process.env.FROM_PIPELINE ?? null }; }
`;

/** A fresh project with work.mjs and the given pipeline as pipeline.yaml. */
export function makeQueueProject(pipeline: string, files: Record<string, string> = {}): string {
  return makeProject({ 'work.mjs': workModule, 'pipeline.yaml': pipeline, ...files });
}

/** `weft run FILE --json [args]` in-process; the report and the exit code. */
export async function runJson(dir: string, file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; report: RunReport; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['run', file, '--json', ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
  if (!stdout.trim()) throw new Error(`no report (exit ${code}): ${stderr}`);
  return { code, report: JSON.parse(stdout) as RunReport, stderr };
}

/** Outputs of the report's tasks, as [start, end) intervals on the workers' clock. */
export function intervals(report: RunReport): Array<[number, number]> {
  return Object.values(report.tasks).flatMap((r) => {
    const out = r.status === 'success' ? (r.output as { start?: number; end?: number }) : undefined;
    return out?.start !== undefined && out.end !== undefined ? [[out.start, out.end] as [number, number]] : [];
  });
}

/** Most intervals open at one instant; touching ones do not overlap. */
export function overlap(spans: Array<[number, number]>): number {
  const points = spans.flatMap(([s, e]): Array<[number, number]> => [[s, 1], [e, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (now += d));
  return max;
}

/** The pids found in the report's outputs. */
export function pidsOf(report: RunReport): Set<number> {
  const pids = new Set<number>();
  for (const r of Object.values(report.tasks)) {
    const pid = r.status === 'success' ? (r.output as { pid?: number } | undefined)?.pid : undefined;
    if (typeof pid === 'number') pids.add(pid);
  }
  return pids;
}
