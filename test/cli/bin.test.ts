import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diamondYaml, makeProject, repoRoot, runCli, spawnBin, stackLines } from './support.js';

// The real bin over the compiled library: `npx tsc` (npm test's pretest) must have run.

describe('bin/weft.js', () => {
  it('validates and plans a pipeline', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const valid = await spawnBin(['validate', 'diamond'], { cwd });
    expect(valid).toMatchObject({ code: 0, stdout: '1 pipeline valid\n', stderr: '' });
    const plan = await spawnBin(['plan', 'diamond', '--json'], { cwd });
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).batches).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('exits 2 for an invalid file, one FILE:LINE:COL line per problem, no stack', async () => {
    const cwd = makeProject({ 'broken.yaml': 'tasks:\n  a: { needs: [ghost], run: echo a }\n  b: { timeout: soon, run: echo b }\n' });
    const result = await spawnBin(['validate', 'broken.yaml'], { cwd });
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^broken\.yaml:\d+:\d+: /);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('exits 2 for a bad flag and an unknown pipeline', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    expect((await spawnBin(['run', 'diamond', '--bogus'], { cwd })).code).toBe(2);
    const unknown = await spawnBin(['run', 'diamonds'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean "diamond"/);
  });

  it('runs hello from the checkout', async () => {
    const result = await spawnBin(['run', 'hello'], { cwd: repoRoot });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ hello succeeded/m);
    expect(readFileSync(path.join(repoRoot, 'out/hello.md'), 'utf8')).toMatch(/^# Hello from weft/);
  });

  it('exits 1 when a task fails', async () => {
    const cwd = makeProject({ 'pipelines/fail.yaml': 'tasks:\n  x: { run: exit 4 }\n' });
    const result = await spawnBin(['run', 'fail'], { cwd });
    expect(result.code).toBe(1);
    expect(stackLines(result.stdout + result.stderr)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while a task runs: the task is killed and weft exits %d', async (signal, code) => {
    const cwd = makeProject({
      // Long enough that only the abort can end it within the test's timeout.
      'pipelines/slow.yaml': 'tasks:\n  wait: { run: "echo started; sleep 60; touch finished" }\n',
    });
    let sent = false;
    const result = await spawnBin(['run', 'slow'], {
      cwd,
      onStdout: (text, child) => {
        if (!sent && text.includes('[wait] started')) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(code);
    expect(existsSync(path.join(cwd, 'finished'))).toBe(false);
  });
});

describe('every fixture in test/fixtures/invalid', () => {
  const dir = path.join(repoRoot, 'test/fixtures/invalid');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];

  it('exists', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  // In-process (the bin adds nothing to error reporting that the spawned tests above do not cover).
  it.each(files)('%s: validate exits 2 with FILE:LINE:COL lines and no stack', async (file) => {
    const result = await runCli(['validate', path.join('test/fixtures/invalid', file)], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).not.toBe('');
    expect(stackLines(result.stderr)).toEqual([]);
    for (const line of result.stderr.trimEnd().split('\n')) {
      expect(line.startsWith(`test/fixtures/invalid/${file}`) || line.startsWith('weft: ')).toBe(true);
    }
  });
});
