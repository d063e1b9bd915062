// What every spawn helper keeps (plugins/shell/spawner.ts), run for the native helper and for the
// Node helpers: the same output, env, exit codes, and a timeout still kills the whole process
// group. Real processes, read through /proc (Linux).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { runYaml } from '../support/project.js';
import type { RunReport } from '../../engine/types.js';
import { processGone } from './process-gone.js';

const linux = existsSync('/proc/self/stat');
const parentOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

/** `count` tasks, each printing its shell's parent pid and $X, one after another. */
function chain(count: number, extra = ''): string {
  const lines = ['concurrency: 1', 'tasks:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  t${i}:`, `    run: 'echo "$PPID $X"; exit 0'`, `    env: { X: x${i} }`);
    if (i > 0) lines.push(`    needs: [t${i - 1}]`);
  }
  return `${lines.join('\n')}\n${extra}`;
}

/** Run two-task chains until the second is spawned by a helper; that helper's pid. */
async function helperInUse(): Promise<number> {
  let helper = process.pid;
  await waitFor(async () => {
    const { report } = await runYaml(chain(2));
    helper = Number((report.tasks['t1'] as { output: { stdout: string } }).output.stdout.trim().split(' ')[0]);
    return helper !== process.pid;
  }, 'a task spawned by a helper');
  return helper;
}

/**
 * The tests of a spawn helper whose process runs `program` (its /proc comm). `firstHere`: the
 * first spawns of a run are made by weft itself while the helper starts (the Node helpers).
 */
export function describeSpawnHelper(program: string, firstHere: boolean, skip?: string): void {
  describe.skipIf(!linux || skip !== undefined)(`the spawn helper ${program}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it('spawns the tasks (after the first few, for Node helpers): same output and env, and the helper is a child of weft', async () => {
      const parentsOf = (report: RunReport, count: number): number[] =>
        Array.from({ length: count }, (_, i) => {
          const [ppid, x] = (report.tasks[`t${i}`] as { output: { stdout: string } }).output.stdout.trim().split(' ');
          expect(x).toBe(`x${i}`);
          return Number(ppid);
        });
      const { report } = await runYaml(chain(10));
      expect(report.status).toBe('success');
      const parents = parentsOf(report, 10);
      if (firstHere) expect(parents[0]).toBe(process.pid);
      // The native helper was started by the shell executor's warm-up: it spawned even the first.
      else expect(parents.every((pid) => pid !== process.pid && parentOf(pid) === process.pid)).toBe(true);
      const helper = await helperInUse();
      expect(parentOf(helper)).toBe(process.pid);
      expect(readFileSync(`/proc/${helper}/comm`, 'utf8').trim()).toBe(program);
    });

    it('keeps exit codes, a missing program and a timeout that kills the whole group', async () => {
      const pidFile = 'bg.pid';
      const { report, dir } = await runYaml(
        chain(
          12,
          [
            '  fails: { run: "exit 3", needs: [t11], continueOnError: true }',
            '  missing: { run: "no-such-program-weft", needs: [t11], continueOnError: true }',
            `  slow: { run: 'sleep 300 & echo $! > ${pidFile}; echo "$PPID" > ppid; wait', timeout: 1s, needs: [t11], continueOnError: true }`,
            '',
          ].join('\n'),
        ),
      );
      expect(report.tasks.fails).toMatchObject({ status: 'failed', error: { message: 'exit code 3' } });
      expect(report.tasks.missing).toMatchObject({ status: 'failed', error: { message: 'exit code 127' } });
      expect(report.tasks.slow).toMatchObject({ status: 'failed', error: { code: 'TASK_TIMEOUT' } });
      // The timed-out task was the helper's child, and its background sleep died with its group.
      expect(Number(readFileSync(path.join(dir, 'ppid'), 'utf8'))).not.toBe(process.pid);
      const background = Number(readFileSync(path.join(dir, pidFile), 'utf8'));
      await waitFor(() => processGone(background), 'the background sleep of the timed-out task to end');
    });

    it('relays a flood of output without holding it: the helper pauses the command while weft catches up', async () => {
      const peakKiB = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      await helperInUse();
      const { report } = await runYaml(
        "concurrency: 1\ntasks:\n  who: { run: 'echo $PPID' }\n  flood: { run: 'head -c 300000000 /dev/zero; echo $PPID >&2', needs: [who], with: { maxOutputBytes: 1000 } }\n",
      );
      expect(report.status).toBe('success');
      const flood = (report.tasks.flood as { output: { stdout: string; stderr: string } }).output;
      expect(flood.stdout).toContain('truncated');
      const helper = Number(flood.stderr.trim());
      expect(helper).not.toBe(process.pid);
      // Without the pause it held the whole 300 MB (measured: 434 MiB for 400 MB); with it, ~90 MiB.
      expect(peakKiB(helper)).toBeLessThan(200 * 1024);
    });

    it('relays output of any size whole and in order, and ends a shell whose background child holds its pipes', async () => {
      const helper = await helperInUse();
      const { report, dir } = await runYaml(
        [
          'concurrency: 1',
          'tasks:',
          "  big: { run: 'seq 1 100000; echo \"$PPID\" >&2' }",
          `  bg: { run: 'sleep 300 & echo $! > bg; echo started', needs: [big] }`,
          "  after: { run: 'echo \"$PPID\"', needs: [bg] }",
          '',
        ].join('\n'),
      );
      expect(report.status).toBe('success');
      const big = (report.tasks.big as { output: { stdout: string; stderr: string } }).output;
      expect(big.stderr.trim()).toBe(String(helper));
      const lines = big.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(100_000);
      expect(lines.every((line, i) => line === String(i + 1))).toBe(true);
      expect(report.tasks.bg).toMatchObject({ status: 'success', output: { stdout: 'started\n' } });
      expect((report.tasks.after as { output: { stdout: string } }).output.stdout.trim()).toBe(String(helper));
      const background = Number(readFileSync(path.join(dir, 'bg'), 'utf8'));
      process.kill(background, 'SIGKILL');
    });

    it("finds a program in the PATH of the task's env, a relative entry taken from the task's cwd", async () => {
      await helperInUse();
      const { report } = await runYaml(
        [
          'concurrency: 1',
          'tasks:',
          `  make: { run: 'mkdir -p sub/bin && printf "#!/bin/sh\\necho tool \\"\\$1\\"\\n" > sub/bin/tool && chmod +x sub/bin/tool' }`,
          '  use: { run: tool here, with: { cwd: sub }, env: { PATH: "bin:/usr/bin:/bin" }, needs: [make] }',
          '  missing: { run: tool here, env: { PATH: "bin:/usr/bin:/bin" }, needs: [use], continueOnError: true }',
          '',
        ].join('\n'),
      );
      expect(report.tasks.use).toMatchObject({ status: 'success', output: { stdout: 'tool here\n' } });
      expect(report.tasks.missing).toMatchObject({ status: 'failed', error: { message: 'exit code 127' } });
    });

    it('a helper that dies fails the task it ran, kills that task\'s group, and the run goes on', async () => {
      // The victim kills its shell's parent: that must be a helper, never this process.
      await helperInUse();
      const { report, dir } = await runYaml(
        [
          'concurrency: 1',
          'tasks:',
          "  victim: { run: 'sleep 300 & echo $! > bg; kill -9 $PPID; sleep 300', continueOnError: true }",
          "  after: { run: 'echo fine', needs: [victim] }",
          '',
        ].join('\n'),
      );
      expect(report.tasks.victim).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('spawn helper') } });
      expect(report.tasks.after).toMatchObject({ status: 'success', output: { stdout: 'fine\n' } });
      const background = Number(readFileSync(path.join(dir, 'bg'), 'utf8'));
      await waitFor(() => processGone(background), 'the background sleep of the task whose helper died to end');
    });

    it('a command the helper cannot start (a NUL byte) fails alone: the helper lives on', async () => {
      const helper = await helperInUse();
      const { report } = await runYaml('concurrency: 1\ntasks:\n  nul: { run: "echo a\\0b", continueOnError: true }\n  after: { run: \'echo "$PPID"\', needs: [nul] }\n');
      expect(report.tasks.nul).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('null bytes') } });
      expect((report.tasks.after as { output: { stdout: string } }).output.stdout.trim()).toBe(String(helper));
    });
  });
}
