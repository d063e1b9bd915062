// Hostile probes on files: where weft writes and reads, and what it refuses to replace.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, spawnBin, stackLines } from './support.js';

const onePipeline = { 'pipelines/one.yaml': 'tasks:\n  a: { run: echo a }\n' };

describe('--report onto something that is not a regular file (item 12)', () => {
  it('a FIFO is refused (exit 2) and left a FIFO', async () => {
    const cwd = makeProject(onePipeline);
    execFileSync('mkfifo', [path.join(cwd, 'pipe.html')]);
    const result = await spawnBin(['run', 'one', '--report', 'pipe.html'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pipe\.html.*not a regular file/);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(lstatSync(path.join(cwd, 'pipe.html')).isFIFO()).toBe(true);
  });

  it('a symlink is refused, neither replaced nor followed', async () => {
    const cwd = makeProject({ ...onePipeline, 'kept.html': 'mine' });
    symlinkSync(path.join(cwd, 'kept.html'), path.join(cwd, 'link.html'));
    const result = await spawnBin(['run', 'one', '--report', 'link.html'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/link\.html.*symbolic link/);
    expect(lstatSync(path.join(cwd, 'link.html')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(cwd, 'kept.html'), 'utf8')).toBe('mine');
  });

  it('a folder that cannot be created is exit 2 at once, not an endless mkdir', async () => {
    const cwd = makeProject(onePipeline);
    const result = await spawnBin(['run', 'one', '--report', '/proc/nope/x.html'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/could not write --report \/proc\/nope\/x\.html/);
  }, 15_000);
});

type Report = { tasks: Record<string, { status: string; error?: { message: string } }> };

async function runJson(cwd: string, name: string, env: Record<string, string> = {}): Promise<{ code: number; report: Report; stdout: string }> {
  const result = await spawnBin(['run', name, '--json'], { cwd, env });
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stdout: result.stdout };
}

describe('template files stay inside the project (item 13)', () => {
  it('to: through a symlinked folder is refused before any folder is made outside', async () => {
    const outside = makeTempDir('weft-outside-');
    const cwd = makeProject({ 'pipelines/t.yaml': 'tasks:\n  t: { uses: template, with: { source: hi, to: link/new/deeper/out.txt } }\n' });
    symlinkSync(outside, path.join(cwd, 'link'));
    const { code, report } = await runJson(cwd, 't');
    expect(code).toBe(1);
    expect(report.tasks.t?.error?.message).toMatch(/outside the project root/);
    expect(existsSync(path.join(outside, 'new'))).toBe(false);
  });

  it.each([
    ['a path that leaves the project', '../secret.hbs'],
    ['a symlink to a file outside', 'linked.hbs'],
  ])('template: %s is refused', async (_name, file) => {
    // The project is a folder of a folder that holds the file it must not read.
    const top = makeProject({ 'secret.hbs': 'private', 'proj/pipelines/t.yaml': `tasks:\n  t: { uses: template, with: { template: ${JSON.stringify(file)}, to: out.txt } }\n` });
    const cwd = path.join(top, 'proj');
    symlinkSync(path.join(top, 'secret.hbs'), path.join(cwd, 'linked.hbs'));
    const { code, report } = await runJson(cwd, 't');
    expect(code).toBe(1);
    expect(report.tasks.t?.error?.message).toMatch(/refusing to read/);
    expect(existsSync(path.join(cwd, 'out.txt'))).toBe(false);
  });
});
