// Hostile probes on processes and streams: what a task leaves running, a reader that goes away.
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
