// A Dagu DAG with exit handlers (handlerOn.exit / handlerOn.cancel), ported: `when: always` and
// `when: cancelled` tasks run when the real bin gets SIGINT, and nothing is left running.
import { processGone } from '../plugins/process-gone.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { waitFor } from '../support/wait.js';

const bin = path.resolve(import.meta.dirname, '../../bin/weft.js');

// A process that records its pid and stays up until killed.
const STAY_UP = `node -e "require('fs').writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)"`;

/** A work task and a `when: always` cleanup that both stay up until killed. */
const HANGING_CLEANUP = `
tasks:
  work:
    run: ${STAY_UP} work.pid
  cleanup:
    needs: [work]
    when: always
    run: ${STAY_UP} cleanup.pid
`;

// A test that fails before its run ends must not leave the run (and what it started) behind.
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(dir: string, args: string[] = []): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [bin, 'run', './dag.yaml', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => text };
}

const pidIn = (dir: string, file: string) => Number(readFileSync(path.join(dir, file), 'utf8'));

describe('a Dagu DAG with exit handlers, ported', { timeout: 60_000 }, () => {
  it('on SIGINT the work is killed, the exit and cancel handlers run, the rest is skipped, exit 130', async () => {
    const dir = makeProject({
      'dag.yaml': `
tasks:
  extract:
    run: ${STAY_UP} work.pid
  load:
    needs: [extract]
    run: echo loaded > load.txt
  on-exit:
    needs: [extract]
    when: always
    run: echo "exit handler saw {{tasks.extract.status}}" > exit.txt
  on-cancel:
    needs: [extract]
    when: cancelled
    run: echo cancelled > cancel.txt
  on-success-only:
    needs: [load]
    when: cancelled
    run: echo never > never.txt
`,
    });
    const run = start(dir, ['--json']);
    await waitFor(() => existsSync(path.join(dir, 'work.pid')), 'the work to start', 25_000);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(readFileSync(path.join(dir, 'exit.txt'), 'utf8')).toBe('exit handler saw cancelled\n');
    expect(readFileSync(path.join(dir, 'cancel.txt'), 'utf8')).toBe('cancelled\n');
    expect(existsSync(path.join(dir, 'load.txt'))).toBe(false);
    const report = JSON.parse(run.output().slice(run.output().indexOf('{\n')));
    expect(report.status).toBe('cancelled');
    expect(report.tasks.extract.status).toBe('cancelled');
    expect(report.tasks.load).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    expect(report.tasks['on-exit'].status).toBe('success');
    expect(report.tasks['on-cancel'].status).toBe('success');
    await waitFor(() => processGone(pidIn(dir, 'work.pid')), 'the work process to be gone');
  });

  it('a second SIGINT ends a cleanup task that hangs, exit 130, nothing left', async () => {
    const dir = makeProject({ 'dag.yaml': HANGING_CLEANUP });
    const run = start(dir);
    await waitFor(() => existsSync(path.join(dir, 'work.pid')), 'the work to start', 25_000);
    run.child.kill('SIGINT');
    await waitFor(() => existsSync(path.join(dir, 'cleanup.pid')), 'the cleanup to start', 25_000);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    await waitFor(() => processGone(pidIn(dir, 'work.pid')) && processGone(pidIn(dir, 'cleanup.pid')), 'every process to be gone');
  });

  it('the grace period ends a cleanup task that outlives it; SIGTERM exits 143', async () => {
    const dir = makeProject({ 'dag.yaml': HANGING_CLEANUP });
    // Long enough for the cleanup to start on a loaded machine; nothing but the grace ends it.
    const run = start(dir, ['--grace', '4s']);
    await waitFor(() => existsSync(path.join(dir, 'work.pid')), 'the work to start', 25_000);
    run.child.kill('SIGTERM');
    await waitFor(() => existsSync(path.join(dir, 'cleanup.pid')), 'the cleanup to start', 25_000);
    expect(await run.exited).toBe(143);
    await waitFor(() => processGone(pidIn(dir, 'work.pid')) && processGone(pidIn(dir, 'cleanup.pid')), 'every process to be gone');
  });

  it('without a cancel, a when: cancelled task ends skipped and when: always runs after a failure', async () => {
    const dir = makeProject({
      'dag.yaml': `
tasks:
  work: { run: exit 3 }
  on-exit: { needs: [work], when: always, run: echo ran }
  on-cancel: { needs: [work], when: cancelled, run: echo never }
  lone-cancel: { when: cancelled, run: echo never }
`,
    });
    const run = start(dir, ['--json']);
    expect(await run.exited).toBe(1);
    const report = JSON.parse(run.output().slice(run.output().indexOf('{\n')));
    expect(report.tasks['on-exit'].status).toBe('success');
    expect(report.tasks['on-cancel']).toMatchObject({ status: 'skipped', reason: 'when' });
    expect(report.tasks['lone-cancel']).toMatchObject({ status: 'skipped', reason: 'when' });
  });
});
