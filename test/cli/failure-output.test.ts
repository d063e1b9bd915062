import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../engine/cli/report-html.js';
import type { RunReport } from '../../engine/types.js';
import { makeProject, runCli, spawnBin } from './support.js';

// A TAP runner's failure: the line that says what broke, then 30 lines of diagnostics and footer.
const tapScript = [
  'echo "TAP version 13"',
  'echo "ok 1 - home"',
  'echo "ok 2 - about"',
  'echo "not ok 3 - slug"',
  'i=0; while [ $i -lt 27 ]; do echo "  diagnostic $i"; i=$((i+1)); done',
  'echo "# tests 3"',
  'echo "# fail 1"',
  'echo "# duration_ms 12"',
  'echo "stack on stderr" >&2',
  'exit 1',
].join('\n');

const files = {
  'scripts/tap.sh': tapScript,
  'pipelines/ci.yaml': `
tasks:
  test: { run: sh scripts/tap.sh }
  flaky:
    run: "if [ -f flaky.done ]; then echo second try fine; else touch flaky.done; echo first try broke; exit 1; fi"
    retry: { attempts: 2, delay: 1ms }
`,
};

const ansi = /\x1b\[[0-9;]*[A-Za-z]|\r/g;

/** The closing section a renderer prints after the run: from `failures:` on. */
const failuresSection = (stdout: string) => stdout.replace(ansi, '').split('\nfailures:\n')[1] ?? '';

describe('failure output is kept', () => {
  it("a failing TAP step's `not ok` line reaches the summary, --json, the history and the page", async () => {
    const cwd = makeProject(files);
    const result = await spawnBin(['run', 'ci', '--keep-going'], { cwd });
    expect(result.code).toBe(1);
    const summary = failuresSection(result.stdout);
    expect(summary).toMatch(/^✗ test: exit code 1$/m);
    expect(summary).toMatch(/^ {4}not ok 3 - slug$/m);
    expect(summary).toMatch(/^ {4}# duration_ms 12$/m);
    expect(summary).toMatch(/^ {2}stderr:\n {4}stack on stderr$/m);
    // The retried task's failed first attempt, though it succeeded in the end.
    expect(summary).toMatch(/^✗ flaky attempt 1\/2: exit code 1\n {4}first try broke$/m);

    const runId = /\(run (\S+)\)/.exec(result.stdout)![1]!;
    const kept = JSON.parse(readFileSync(path.join(cwd, '.weft/runs', `${runId}.json`), 'utf8')).report as RunReport;
    const test = kept.tasks.test!;
    expect(test.status).toBe('failed');
    const [attempt] = 'attemptLog' in test ? test.attemptLog! : [];
    expect(attempt).toMatchObject({ attempt: 1, status: 'failed', error: { message: 'exit code 1' } });
    expect(attempt!.stdout!.text).toContain('not ok 3 - slug\n  diagnostic 0\n');
    expect(attempt!.stdout!.droppedBytes).toBe(0);
    expect(attempt!.stderr!.text).toBe('stack on stderr\n');
    const flaky = kept.tasks.flaky!;
    expect('attemptLog' in flaky && flaky.attemptLog!.map((a) => [a.status, a.stdout?.text])).toEqual([
      ['failed', 'first try broke\n'],
      ['success', 'second try fine\n'],
    ]);

    const json = await runCli(['run', 'ci', '--json', '--output', 'quiet'], { cwd: makeProject(files) });
    const report = JSON.parse(json.stdout) as RunReport;
    const jsonTest = report.tasks.test!;
    expect('attemptLog' in jsonTest && jsonTest.attemptLog![0]!.stdout!.text).toContain('not ok 3 - slug');
    expect(failuresSection(json.stderr)).toMatch(/^ {4}not ok 3 - slug$/m);

    const page = await runCli(['runs', 'report', runId, 'run.html'], { cwd });
    expect(page.code).toBe(0);
    const html = readFileSync(path.join(cwd, 'run.html'), 'utf8');
    expect(html).toContain('not ok 3 - slug\n  diagnostic 0\n');
    expect(html).toContain('first try broke');
  });

  it('the live view closes with the same excerpt', async () => {
    const cwd = makeProject(files);
    const result = await runCli(['run', 'ci', '--keep-going'], { cwd, isTTY: true });
    expect(result.code).toBe(1);
    expect(failuresSection(result.stdout)).toMatch(/^ {4}not ok 3 - slug$/m);
    expect(failuresSection(result.stdout)).toMatch(/^ {4}… \d+ lines$/m);
  });

  it('keeps the last 64 KiB of a stream and counts what it dropped', async () => {
    const cwd = makeProject({
      'pipelines/big.yaml': 'tasks:\n  loud: { run: "i=0; while [ $i -lt 2000 ]; do echo line-$i-0123456789012345678901234567890123456789; i=$((i+1)); done; exit 2" }\n',
    });
    const result = await runCli(['run', 'big', '--json', '--output', 'quiet'], { cwd });
    const loud = (JSON.parse(result.stdout) as RunReport).tasks.loud!;
    const stdout = 'attemptLog' in loud ? loud.attemptLog![0]!.stdout! : undefined;
    expect(Buffer.byteLength(stdout!.text)).toBeLessThanOrEqual(64 * 1024);
    expect(stdout!.text.endsWith('line-1999-0123456789012345678901234567890123456789\n')).toBe(true);
    const total = Array.from({ length: 2000 }, (_, i) => `line-${i}-0123456789012345678901234567890123456789\n`).join('').length;
    expect(stdout!.droppedBytes + Buffer.byteLength(stdout!.text)).toBe(total);
    expect(failuresSection(result.stderr)).toMatch(/… \d+ earlier bytes not kept/);
  });
});
