import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diamondYaml, makeProject, runCli, spawnBin, stackLines } from './support.js';

// In-process runs still execute tasks in worker threads loaded from dist/: `npx tsc` first
// (npm test does it in pretest).

const failing = `
tasks:
  ok: { run: echo fine }
  bad: { needs: [ok], run: "echo oops >&2; exit 3" }
  after: { needs: [bad], run: echo never }
`;

const typed = `
inputs:
  count: { type: integer, default: 1 }
  loud: { type: boolean, default: false }
tasks:
  show:
    uses: shell
    with:
      command: "echo {{inputs.count}} {{inputs.loud}}"
`;

describe('weft run', () => {
  it('runs many shell tasks at once without a listener-leak warning', async () => {
    // Every running call listened on one pool-wide signal; past 10 of them Node printed
    // MaxListenersExceededWarning on stderr in the middle of the run's output.
    const tasks = Array.from({ length: 16 }, (_, i) => `  t${i}: { run: "sleep 0.2" }`);
    const cwd = makeProject({ 'pipelines/wide.yaml': `concurrency: 16\ntasks:\n${tasks.join('\n')}\n` });
    const result = await spawnBin(['run', 'wide'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/MaxListeners|memory leak/);
  });

  it('--json prints exactly the report on stdout and progress on stderr', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const result = await runCli(['run', 'diamond', '--json'], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ pipeline: 'diamond', status: 'success' });
    expect(Object.keys(report.tasks).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(report.tasks.d.output.stdout).toBe('d\n');
    expect(result.stderr).toMatch(/^\[a\] a$/m);
    expect(result.stderr).toMatch(/^✓ d \d/m);
  });

  it('prints plain prefixed lines when stdout is not a terminal', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const result = await runCli(['run', 'diamond'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[b\] b$/m);
    expect(result.stdout).toMatch(/^✓ diamond succeeded in .* \(4 tasks\)$/m);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('NO_COLOR turns off color only: the live view stays on a terminal', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const result = await runCli(['run', 'diamond'], { cwd, isTTY: true, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    expect(result.code).toBe(0);
    // Cursor movement (the live block) but no SGR color or weight codes.
    expect(result.stdout).toMatch(/\x1b\[\d*F|\r\x1b\[0J/);
    expect(result.stdout).not.toMatch(/\x1b\[\d+m/);
    expect(result.stdout).toMatch(/task\s+status\s+attempts\s+duration/);
  });

  it('shows the live view and a summary table on a terminal', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const result = await runCli(['run', 'diamond'], { cwd, isTTY: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\x1b[');
    expect(result.stdout).toMatch(/task\s+status\s+attempts\s+duration/);
  });

  it('exits 1 when a task fails, naming it and its error', async () => {
    const cwd = makeProject({ 'pipelines/failing.yaml': failing });
    const result = await runCli(['run', 'failing'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ bad .*exit code 3/m);
    expect(result.stdout).toMatch(/^- after skipped/m);
    expect(stackLines(result.stdout + result.stderr)).toEqual([]);
  });

  it('types --var values by the declared input type', async () => {
    const cwd = makeProject({ 'pipelines/typed.yaml': typed });
    const result = await runCli(['run', 'typed', '--json', '--var', 'count=7', '--var', 'loud=true'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).tasks.show.output.stdout).toBe('7 true\n');
  });

  it.each([['count=seven'], ['loud=yes'], ['nope=1']])('exits 2 for --var %s', async (pair) => {
    const cwd = makeProject({ 'pipelines/typed.yaml': typed });
    const result = await runCli(['run', 'typed', '--var', pair], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^weft: .*(input|key=value)/);
  });

  it('--dry-run prints the rendered commands and runs nothing', async () => {
    const cwd = makeProject({
      'pipelines/touch.yaml': 'inputs:\n  name: { type: string, default: marker }\ntasks:\n  make: { run: "touch {{inputs.name}}" }\n',
    });
    const result = await runCli(['run', 'touch', '--dry-run', '--var', 'name=flag file'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^○ make \(shell\)$/m);
    expect(result.stdout).toContain("$ touch 'flag file'");
    expect(existsSync(path.join(cwd, 'flag file'))).toBe(false);
  });

  it('rejects a bad --concurrency with exit 2', async () => {
    const cwd = makeProject({ 'pipelines/diamond.yaml': diamondYaml });
    const result = await runCli(['run', 'diamond', '--concurrency', '0'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--concurrency/);
  });
});

describe('weft run hello (the README\'s first command)', () => {
  it('does real work without a key or network and writes out/hello.md', async () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    // From the checkout, as a user would: the report lands in the checkout's out/ (git-ignored).
    const result = await runCli(['run', 'hello', '--json'], { cwd: repo });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('success');
    expect(report.tasks.lines.output.json).toBeGreaterThan(100);
    const written = readFileSync(path.join(repo, report.outputs.report), 'utf8');
    expect(written).toContain(`| lines of TypeScript in both | ${report.tasks.lines.output.json} |`);
  });
});
