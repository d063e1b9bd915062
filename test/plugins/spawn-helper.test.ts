// Shell tasks' processes come from the native spawn helper (plugins/shell/spawn-helper.c), which
// the build compiles when the machine has a C compiler. In CI (CI=true) it must have been built.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../engine/types.js';
import { binPath, makeProject } from '../cli/support.js';
import { nativeHelperBuilt, nativeHelperFile } from '../../plugins/shell/native-helper.js';
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
