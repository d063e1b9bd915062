// Hostile probes on processes and streams: what a task leaves running, a reader that goes away.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPidFile, makeProject, spawnBin } from './support.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('a background child holding stdout', () => {
  it('does not keep its shell task from finishing (item 5)', async () => {
    const cwd = makeProject({
      'pipelines/bg.yaml': [
        'tasks:',
        '  start: { run: "sleep 1201 & echo $! > bg.pid; echo started" }',
        '  after: { needs: [start], run: echo after }',
        '',
      ].join('\n'),
    });
    cleanups.push(() => killPidFile(cwd, 'bg.pid'));
    const result = await spawnBin(['run', 'bg', '--json'], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.tasks.start.output.stdout).toBe('started\n');
    expect(report.tasks.after.status).toBe('success');
  }, 15_000);
});

describe('a reader that goes away (weft run x | head -1)', () => {
  it('does not end the run: later tasks run, the record is saved, the exit code is the run\'s (item 1)', async () => {
    const cwd = makeProject({
      'pipelines/pipe.yaml': [
        'tasks:',
        '  first: { run: echo first }',
        // Waits until the reader has gone, then prints enough to meet the closed pipe.
        '  noisy: { needs: [first], run: "while [ ! -f closed ]; do sleep 0.02; done; seq 1 2000" }',
        '  last: { needs: [noisy], run: "touch last-ran; exit 3" }',
        '',
      ].join('\n'),
    });
    let closed = false;
    const result = await spawnBin(['run', 'pipe'], {
      cwd,
      onStdout: (_text, child) => {
        if (closed) return;
        closed = true;
        child.stdout?.destroy();
        writeFileSync(path.join(cwd, 'closed'), '');
      },
    });
    expect(closed).toBe(true);
    expect(existsSync(path.join(cwd, 'last-ran'))).toBe(true);
    expect(result.code).toBe(1);
    expect(readdirSync(path.join(cwd, '.weft/runs')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });
});
