// `weft run --watch` with real files and the real bin: a write re-runs only what it made stale.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath } from '../cli/support.js';
import { waitFor } from '../plugins/contract.js';
import { processGone } from '../plugins/process-gone.js';
import { makeProject } from '../support/project.js';

const pipeline = `tasks:
  a: { sources: [src/a.txt], run: echo a >> ran.log }
  b: { sources: [src/b.txt], run: echo b >> ran.log }
  c: { needs: [a], run: echo c >> ran.log }
  slow:
    sources: [src/slow.txt]
    run: if grep -q hang src/slow.txt; then echo $$ > slow.pid; exec sleep 300; fi
`;

describe('weft run --watch', () => {
  it('re-runs only the tasks a file write made stale and their dependents; Ctrl-C exits 130 with nothing left running', async () => {
    const cwd = makeProject({ 'pipelines/w.yaml': pipeline, 'src/a.txt': '1', 'src/b.txt': '1', 'src/slow.txt': 'quick' });
    const child = spawn(process.execPath, [binPath, 'run', 'w', '--watch'], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.resume();
    const runsDone = () => stderr.split('\n').filter((l) => l.includes('watching')).length;
    const ran = () => {
      const file = path.join(cwd, 'ran.log');
      const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).sort() : [];
      rmSync(file, { force: true });
      return lines;
    };
    try {
      await waitFor(() => runsDone() === 1, 'the first run', 30_000);
      expect(ran()).toEqual(['a', 'b', 'c']);
      expect(stderr).toContain('watching src for changes');

      writeFileSync(path.join(cwd, 'src/a.txt'), '2');
      await waitFor(() => runsDone() === 2, 'the run after a.txt changed', 30_000);
      // b is up to date; c has no sources but needs a, which ran again.
      expect(ran()).toEqual(['a', 'c']);

      writeFileSync(path.join(cwd, 'src/slow.txt'), 'hang');
      await waitFor(() => existsSync(path.join(cwd, 'slow.pid')), 'the slow task to start', 30_000);
      const pid = Number(readFileSync(path.join(cwd, 'slow.pid'), 'utf8'));
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(code).toBe(130);
      expect(processGone(pid)).toBe(true);
      expect(ran()).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('needs a task with sources', async () => {
    const cwd = makeProject({ 'pipelines/w.yaml': 'tasks:\n  a: { run: echo a }\n' });
    const child = spawn(process.execPath, [binPath, 'run', 'w', '--watch'], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('no task of this run of w declares sources');
  });
});
