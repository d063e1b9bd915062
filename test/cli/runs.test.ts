import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../plugins/contract.js';
import { binPath, makeProject, runCli, spawnBin } from './support.js';

const files = {
  'weft.config.yaml': 'pipelinesDir: pipelines\n',
  'pipelines/one.yaml': 'tasks:\n  a: { run: echo a }\n',
  'pipelines/two.yaml': 'tasks:\n  a: { run: echo a }\n  b: { needs: [a], run: exit 5 }\n',
};

const runIdOf = (stdout: string) => /^▶ \S+ \(run (\S+)\)$/m.exec(stdout)![1]!;

describe('weft runs', () => {
  it('lists kept runs newest first, by pipeline, and as JSON', async () => {
    const cwd = makeProject(files);
    const ids: string[] = [];
    for (const name of ['one', 'two', 'one']) ids.push(runIdOf((await runCli(['run', name], { cwd })).stdout));
    const list = await runCli(['runs'], { cwd });
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+pipeline\s+status\s+started\s+duration\s+tasks\s+tokens\s+cost$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...ids].reverse());
    expect(lines[2]).toMatch(/\stwo\s+failed\s.*\s2\s+0\s+\$0\.0000$/);

    const json = JSON.parse((await runCli(['runs', 'one', '--json'], { cwd })).stdout);
    expect(json.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[0]]);
    expect(json[0]).toMatchObject({ pipeline: 'one', status: 'success', tasks: 1, tokens: 0, costUsd: 0 });
    expect(typeof json[0].durationMs).toBe('number');
    expect(json[0].startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('show prints a finished run\'s summary; report writes its page', async () => {
    const cwd = makeProject(files);
    const runId = runIdOf((await runCli(['run', 'two'], { cwd })).stdout);
    const show = await runCli(['runs', 'show', runId], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/task\s+status\s+attempts\s+duration/);
    expect(show.stdout).toMatch(/^✗ two failed in \S+: 1 failed, 1 succeeded$/m);
    expect(JSON.parse((await runCli(['runs', 'show', runId, '--json'], { cwd })).stdout).runId).toBe(runId);

    const report = await spawnBin(['runs', 'report', runId, 'out/page.html'], { cwd });
    expect(report.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'out/page.html'), 'utf8')).toContain(runId);
  });

  it('an unknown run or pipeline is exit 2 with a did-you-mean', async () => {
    const cwd = makeProject(files);
    const runId = runIdOf((await runCli(['run', 'one'], { cwd })).stdout);
    const typo = `${runId.slice(0, -1)}${runId.endsWith('0') ? '1' : '0'}`;
    const show = await runCli(['runs', 'show', typo], { cwd });
    expect(show.code).toBe(2);
    expect(show.stderr).toContain(`did you mean "${runId}"`);
    const pipeline = await runCli(['runs', 'onr'], { cwd });
    expect(pipeline.code).toBe(2);
    expect(pipeline.stderr).toContain('did you mean "one"');
  });

  it('says so when no run is kept', async () => {
    const cwd = makeProject(files);
    expect((await runCli(['runs'], { cwd })).stdout).toBe('no kept runs\n');
    expect(JSON.parse((await runCli(['runs', '--json'], { cwd })).stdout)).toEqual([]);
  });
});

describe('weft runs and a killed run', () => {
  it('lists a run killed by SIGKILL (no report saved) from its journal, and shows it', async () => {
    const cwd = makeProject({
      'pipelines/slow.yaml': 'tasks:\n  first: { run: echo first }\n  hang: { needs: [first], run: "touch hang.started; exec sleep 300" }\n',
    });
    const child = spawn(process.execPath, [binPath, 'run', 'slow'], { cwd, env: { PATH: process.env.PATH }, stdio: 'ignore' });
    await waitFor(() => existsSync(path.join(cwd, 'hang.started')), 'the hanging task to start');
    // Task ends are committed to the journal in short windows: kill once `first` is in it.
    await waitFor(() => journaledTasks(cwd).includes('first'), 'the journal to hold the first task');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const list = JSON.parse((await runCli(['runs', '--json'], { cwd })).stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ pipeline: 'slow', status: 'cancelled', tasks: 1 });
    const show = await runCli(['runs', 'show', list[0].id], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^⊘ slow cancelled in \S+: 1 succeeded \(the run was killed/m);
  });
});

/** Task ids the store journaled so far, read as another process would. */
function journaledTasks(cwd: string): string[] {
  const file = path.join(cwd, '.weft/weft.db');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT task FROM journal').all() as Array<{ task: string }>).map((r) => r.task);
  } finally {
    db.close();
  }
}
