// Shell tasks' processes come from the native spawn helper (plugins/shell/spawn-helper.c), which
// the build compiles when the machine has a C compiler. In CI (CI=true) it must have been built.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../engine/types.js';
import { binPath, makeProject } from '../cli/support.js';
import { NativeHelper, nativeHelperBuilt, nativeHelperFile } from '../../plugins/shell/native-helper.js';
import { makeTempDir } from '../support/project.js';
import { describeSpawnHelper } from './spawn-helper-cases.js';

const execFileAsync = promisify(execFile);

const missing = nativeHelperBuilt() ? undefined : `${nativeHelperFile} was not built (no C compiler when npm run build ran)`;

describe('the native spawn helper', () => {
  it('is built wherever a C compiler is, and always in CI', () => {
    if (process.env.CI === 'true') expect(missing).toBeUndefined();
  });
});

describeSpawnHelper('weft-spawn', false, missing);

describe.skipIf(missing !== undefined)('the native spawn helper out of file descriptors', () => {
  it('fails only the calls it cannot start (EMFILE), and the run goes on', async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => `  t${i}: { run: 'sleep 1', continueOnError: true }`);
    const cwd = makeProject({ 'pipelines/many.yaml': ['concurrency: 40', 'tasks:', ...tasks, ''].join('\n') });
    // 64 descriptors: weft's own and two pipes per running command leave room for some 20-30 at once.
    const result = await execFileAsync('/bin/sh', ['-c', `ulimit -n 64 && exec "${process.execPath}" "${binPath}" run many --json`], { cwd }).catch(
      (error: { stdout: string }) => error,
    );
    const report = JSON.parse(result.stdout) as RunReport;
    const statuses = Object.values(report.tasks).map((t) => t.status);
    expect(statuses.filter((s) => s === 'success').length).toBeGreaterThan(0);
    const failed = Object.values(report.tasks).filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) expect(t).toMatchObject({ error: { message: 'cannot start sleep: spawn sleep EMFILE' } });
  });
});

describe('the native spawn helper, sent calls before it says it is ready', () => {
  const request = (file: string) => ({ file, args: ['-c', 'exit 7'], cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const events = { onPid: () => {}, onData: () => {} };
  const elsewhere = () => Promise.resolve({ code: 42, signal: null });

  it.skipIf(missing !== undefined)('runs a call sent the moment it was spawned', async () => {
    const helper = new NativeHelper(() => Promise.reject(new Error('not elsewhere')));
    await expect(helper.start(request('/bin/sh'), events)).resolves.toEqual({ code: 7, signal: null });
  });

  it('sends its calls elsewhere when it cannot run at all (never said it was ready)', async () => {
    const dir = makeTempDir();
    // Not a program: the spawn fails, as a helper built for another machine would.
    const notRunnable = path.join(dir, 'weft-spawn');
    writeFileSync(notRunnable, 'not a program\n');
    const helper = new NativeHelper(elsewhere, notRunnable);
    await expect(helper.start(request('/bin/sh'), events)).resolves.toEqual({ code: 42, signal: null });
    expect(helper.failed).toBe(true);
  });

  it('fails, never repeats, the calls of a helper that died after it said it was ready', async () => {
    const dir = makeTempDir();
    // Says ready (a 'R' frame: length 5, id 0), then dies with the call unanswered.
    const saysReadyThenDies = path.join(dir, 'weft-spawn');
    writeFileSync(saysReadyThenDies, "#!/bin/sh\nprintf '\\005\\000\\000\\000\\000\\000\\000\\000R'\nexit 3\n", { mode: 0o755 });
    let repeated = false;
    const helper = new NativeHelper(() => ((repeated = true), elsewhere()), saysReadyThenDies);
    await expect(helper.start(request('/bin/sh'), events)).rejects.toThrow('the spawn helper process ended while the command ran');
    expect(repeated).toBe(false);
  });
});
