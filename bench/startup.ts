// What a user waits for before any work: whole weft processes against a bare `node -e 0` run in
// the same loop, and the first task of a fresh `weft run` against the same task later in the run.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RunReport } from '../engine/types.js';
import { registerSection, type BenchContext } from './harness.js';
import { startLatencyServer } from './support/latency-server.js';
import { createProject, type BenchProject } from './support/project.js';

const execFileAsync = promisify(execFile);

// dist-bench/bench/startup.js -> the package's bin (which imports dist/, as an installed weft does).
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/weft.js');

const verdict = (met: boolean, aim: string) => ` (aim ${aim}: ${met ? 'met' : 'MISSED'})`;

async function wall(args: string[], cwd: string): Promise<number> {
  const start = performance.now();
  await execFileAsync(process.execPath, args, { cwd });
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Whole-process wall times, the commands interleaved so a busy moment hits all of them alike. */
async function processes(ctx: BenchContext, project: BenchProject): Promise<void> {
  project.write('one', 'tasks:\n  a: { run: "true" }\n');
  const commands: Array<{ label: string; args: string[]; aim?: number }> = [
    { label: 'bare node -e 0', args: ['-e', '0'] },
    { label: 'weft --version', args: [bin, '--version'], aim: 1.3 },
    { label: 'weft validate one (one-task file)', args: [bin, 'validate', 'one'], aim: 2 },
    { label: 'weft run one (run: "true"), whole process', args: [bin, 'run', 'one'], aim: 2.5 },
  ];
  const samples = commands.map(() => [] as number[]);
  // One warm-up each (file cache); a command that fails stops the section with its name.
  for (const c of commands) await wall(c.args, project.dir).catch((e: Error) => Promise.reject(new Error(`${c.label}: ${e.message}`)));
  for (let round = 0; round < 9; round++) {
    for (const [i, c] of commands.entries()) samples[i]!.push(await wall(c.args, project.dir));
  }
  const nodeMs = median(samples[0]!);
  for (const [i, c] of commands.entries()) {
    const ms = median(samples[i]!);
    const aim = c.aim === undefined ? '' : verdict(ms / nodeMs <= c.aim, `≤ ${c.aim}x node`);
    ctx.row({ label: `${c.label}${aim}`, ms, baselineMs: nodeMs, note: 'median of 9' });
  }
}

/** A fresh `weft run --json` of ten chained copies of a task: the first one against the median of the others. */
async function firstTask(ctx: BenchContext, project: BenchProject, name: string, label: string, task: string): Promise<void> {
  const lines = ['concurrency: 1', 'tasks:'];
  for (let i = 0; i < 10; i++) lines.push(`  t${i}: { ${task}${i > 0 ? `, needs: [t${i - 1}]` : ''} }`);
  project.write(name, `${lines.join('\n')}\n`);
  const firsts: number[] = [];
  const laters: number[] = [];
  for (let round = 0; round < 5; round++) {
    const { stdout } = await execFileAsync(process.execPath, [bin, 'run', name, '--json'], { cwd: project.dir });
    const report = JSON.parse(stdout) as RunReport;
    const durations = Array.from({ length: 10 }, (_, i) => {
      const r = report.tasks[`t${i}`]!;
      if (r.status !== 'success') throw new Error(`${name}: task t${i} ${r.status}`);
      return r.durationMs;
    });
    firsts.push(durations[0]!);
    laters.push(median(durations.slice(1)));
  }
  const first = median(firsts);
  const later = median(laters);
  ctx.row({ label: `${label}: later tasks of the run`, ms: later, baselineMs: later, note: 'median over 5 fresh runs' });
  ctx.row({ label: `${label}: first task of a fresh weft run${verdict(first / later <= 3, '≤ 3x later')}`, ms: first, baselineMs: later });
}

registerSection({
  name: 'startup',
  description: 'cold start: weft processes vs bare node, and the first task of a run vs the same task later in it',
  async run(ctx) {
    const project = createProject();
    const server = await startLatencyServer();
    try {
      writeFileSync(path.join(project.dir, 'weft.config.yaml'), 'pipelinesDir: pipelines\n');
      await processes(ctx, project);
      await firstTask(ctx, project, 'first-true', '"true" shell task', 'run: "true"');
      await firstTask(ctx, project, 'first-get', 'GET of a 25 ms server', `uses: http, with: { url: "${server.url}/wait?ms=25" }`);
    } finally {
      await server.close();
      project.remove();
    }
  },
});
