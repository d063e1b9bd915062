// kill -9 of `weft run`: the journal keeps what finished, an interrupted task is never up to
// date afterwards, and nothing the run started outlives it. Real bin, real SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { RunReport } from '../../engine/types.js';
import { binPath, spawnBin } from '../cli/support.js';
import { waitFor } from '../plugins/contract.js';
import { processGone } from '../plugins/process-gone.js';
import { makeProject } from '../support/project.js';

/** Start `weft run ...args` in the background. */
function startBin(cwd: string, args: string[]) {
  return spawn(process.execPath, [binPath, 'run', ...args], { cwd, env: { PATH: process.env.PATH }, stdio: 'ignore' });
}

async function killHard(child: ReturnType<typeof startBin>): Promise<void> {
  child.kill('SIGKILL');
  await once(child, 'exit');
}

const pidOf = (cwd: string, file: string): number => Number(readFileSync(path.join(cwd, file), 'utf8').trim());
const ranLines = (cwd: string): string[] => {
  const file = path.join(cwd, 'ran.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
};

/** Tasks the store journaled for the newest run. */
function journaled(cwd: string): string[] {
  const db = new Database(path.join(cwd, '.weft/weft.db'), { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1').get() as { run_id: string } | undefined;
    if (!run) return [];
    return (db.prepare('SELECT task FROM journal WHERE run_id = ?').all(run.run_id) as Array<{ task: string }>).map((r) => r.task);
  } finally {
    db.close();
  }
}

describe('kill -9 of weft run', () => {
  it('a task killed mid-run is never up to date afterwards (the record of its last success is gone)', async () => {
    // slow.flag makes the task hang after it started; without it, the task is quick.
    const cwd = makeProject({
      'pipelines/p.yaml': `tasks:
  build:
    sources: [in.txt]
    generates: [out.txt]
    run: echo build >> ran.log; if [ -f slow.flag ]; then echo $$ > build.pid; exec sleep 300; fi; cp in.txt out.txt
`,
      'in.txt': 'v1',
    });
    expect((await spawnBin(['run', 'p'], { cwd })).code).toBe(0);
    expect((await spawnBin(['run', 'p', '--json'], { cwd })).stdout).toContain('"up-to-date"');

    // Forced again, and killed while it runs: nothing about the task's inputs changed.
    writeFileSync(path.join(cwd, 'slow.flag'), '');
    const child = startBin(cwd, ['p', '--force']);
    await waitFor(() => existsSync(path.join(cwd, 'build.pid')), 'the task to start');
    await killHard(child);
    rmSync(path.join(cwd, 'slow.flag'));

    const next = await spawnBin(['run', 'p', '--json'], { cwd });
    expect(next.code).toBe(0);
    expect((JSON.parse(next.stdout) as RunReport).tasks.build).toMatchObject({ status: 'success', attempts: 1 });
    expect(ranLines(cwd)).toEqual(['build', 'build', 'build']);
  });

  it('--resume after kill -9 reuses every task that had finished; no process of the run survives it', async () => {
    const cwd = makeProject({
      'pipelines/p.yaml': `tasks:
  a: { run: echo a >> ran.log; echo from-a }
  b:
    needs: [a]
    run: echo b >> ran.log; if [ -f slow.flag ]; then sleep 301 & echo $! > bg.pid; echo $$ > b.pid; exec sleep 300; fi
  c: { needs: [b], run: "echo c >> ran.log; echo got {{tasks.a.output.stdout}}" }
`,
      'slow.flag': '',
    });
    const child = startBin(cwd, ['p']);
    await waitFor(() => existsSync(path.join(cwd, 'b.pid')) && existsSync(path.join(cwd, 'bg.pid')), 'b to start');
    await waitFor(() => journaled(cwd).includes('a'), 'a to be journaled');
    await killHard(child);
    // The watchdog kills b's shell and its background child.
    const pids = [pidOf(cwd, 'b.pid'), pidOf(cwd, 'bg.pid')];
    await waitFor(() => pids.every(processGone), 'the killed run\'s processes to end');
    rmSync(path.join(cwd, 'slow.flag'));

    const resumed = await spawnBin(['run', 'p', '--resume', '--json'], { cwd });
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as RunReport;
    expect(report.tasks.a).toMatchObject({ status: 'success', resumed: true });
    expect(report.tasks.b).toMatchObject({ status: 'success', attempts: 1 });
    expect(report.tasks.c!.status === 'success' && (report.tasks.c!.output as { stdout: string }).stdout).toBe('got from-a\n\n');
    expect(ranLines(cwd)).toEqual(['a', 'b', 'b', 'c']);
  });
});

