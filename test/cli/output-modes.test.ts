import { describe, expect, it } from 'vitest';
import { makeProject, runCli, spawnBin } from './support.js';

// Two tasks that each print two lines; b waits on a file a writes, so a's lines come first.
const twoTasks = `
tasks:
  a: { run: "echo a-one; echo a-two" }
  b: { run: "echo b-one; echo b-two" }
`;

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;
const strip = (s: string) => s.replace(ansi, '').replace(/\r/g, '');

describe('--output modes', () => {
  it('prefixed (the default in a pipe) streams every line with its task id', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const result = await runCli(['run', 'two'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^▶ two \(run \S+\)$/);
    expect(result.stdout).toMatch(/^\[a\] a-one$/m);
    expect(result.stdout).toMatch(/^\[b\] b-two$/m);
    expect((await runCli(['run', 'two', '--output', 'prefixed'], { cwd })).stdout).toMatch(/^\[a\] a-two$/m);
  });

  it('grouped prints each task\'s lines as one block under its result line', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const result = await runCli(['run', 'two', '--output', 'grouped'], { cwd });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const id of ['a', 'b']) {
      const at = lines.findIndex((l) => l.startsWith(`✓ ${id} `));
      expect(lines.slice(at + 1, at + 3)).toEqual([`    ${id}-one`, `    ${id}-two`]);
    }
    expect(result.stdout).not.toContain('[a]');
  });

  it('quiet prints only the summary', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const result = await runCli(['run', 'two', '--output', 'quiet'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ two succeeded in \S+ \(2 tasks\)\n$/);
  });

  it('an unknown mode is a usage error', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const result = await runCli(['run', 'two', '--output', 'loud'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--output must be one of live, prefixed, grouped, quiet/);
  });

  it('live names the run id on its first line; --verbose streams log lines above the view', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const plain = await runCli(['run', 'two'], { cwd, isTTY: true });
    expect(strip(plain.stdout).split('\n')[0]).toMatch(/^▶ two \(run \S+\)$/);
    expect(strip(plain.stdout)).not.toMatch(/^\[a\] a-one$/m);
    const verbose = await runCli(['run', 'two', '--verbose'], { cwd, isTTY: true });
    expect(verbose.code).toBe(0);
    expect(strip(verbose.stdout)).toMatch(/^\[a\] a-one$/m);
    expect(strip(verbose.stdout)).toMatch(/^\[b\] b-two$/m);
  });

  it('FORCE_COLOR colors a pipe; NO_COLOR alone keeps it plain', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const forced = await runCli(['run', 'two'], { cwd, env: { PATH: process.env.PATH, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\x1b[32m✓\x1b[39m');
    const off = await runCli(['run', 'two'], { cwd, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    expect(off.stdout).not.toMatch(ansi);
  });

  it('the real bin honors --output grouped and FORCE_COLOR', async () => {
    const cwd = makeProject({ 'pipelines/two.yaml': twoTasks });
    const result = await spawnBin(['run', 'two', '--output', 'grouped'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\x1b[32m✓\x1b[39m');
    expect(strip(result.stdout)).toMatch(/^✓ a \S+\n {4}a-one\n {4}a-two$/m);
  });
});
