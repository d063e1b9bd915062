import { describe, expect, it } from 'vitest';
import { diamondYaml, makeProject, runCli, stackLines } from './support.js';

const project = () =>
  makeProject({
    'pipelines/diamond.yaml': diamondYaml,
    'pipelines/hello.yaml': 'description: Say hello\ntasks:\n  hi: { run: echo hi }\n',
    'pipelines/bad.yaml': [
      'tasks:',
      '  a: { needs: [missing], run: echo a }',
      '  b: { needs: [c], run: echo b }',
      '  c: { needs: [b], run: echo c }',
      '  d: { uses: no-such-executor }',
      '',
    ].join('\n'),
  });

describe('weft validate', () => {
  it('prints only a count when every pipeline is valid', async () => {
    const cwd = project();
    const result = await runCli(['validate', 'diamond', 'hello'], { cwd });
    expect(result).toEqual({ code: 0, stdout: '2 pipelines valid\n', stderr: '' });
  });

  it('accepts a path to a file as well as a name', async () => {
    const cwd = project();
    const result = await runCli(['validate', 'pipelines/diamond.yaml'], { cwd });
    expect(result.stdout).toBe('1 pipeline valid\n');
  });

  it('prints every problem as FILE:LINE:COL with the path relative to cwd, exit 2, no stack', async () => {
    const cwd = project();
    const result = await runCli(['validate', 'bad'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    // An unknown need, a cycle and an unknown executor: three separate problems, not the first only.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^pipelines\/bad\.yaml:\d+:\d+: \S/);
    expect(result.stderr).toMatch(/missing/);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('suggests the closest name for an unknown pipeline, exit 2', async () => {
    const cwd = project();
    const result = await runCli(['validate', 'diamnod'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/did you mean "diamond"\?/);
  });
});

describe('weft plan', () => {
  it('prints the diamond as [a] [b, c] [d] and its critical path', async () => {
    const cwd = project();
    const result = await runCli(['plan', 'diamond'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^batches: \[a\] \[b, c\] \[d\]$/m);
    expect(result.stdout).toMatch(/^critical path: a → (b|c) → d$/m);
  });

  it('--json gives { batches, criticalPath, models }', async () => {
    const cwd = project();
    const result = await runCli(['plan', 'diamond', '--json'], { cwd });
    const plan = JSON.parse(result.stdout);
    expect(plan.batches).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(plan.criticalPath[0]).toBe('a');
    expect(plan.criticalPath.at(-1)).toBe('d');
    expect(plan.models).toEqual({});
  });

  it('is a usage error without a pipeline', async () => {
    const result = await runCli(['plan'], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a pipeline/);
  });
});

describe('weft graph', () => {
  it('prints a mermaid flowchart with one edge per need', async () => {
    const result = await runCli(['graph', 'diamond'], { cwd: project() });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines.filter((l) => l.includes('-->'))).toHaveLength(4);
    expect(lines).toContain('  n0["a"]');
    expect(lines).toContain('  n0 --> n1');
  });

  it('prints DOT with --format dot', async () => {
    const result = await runCli(['graph', 'diamond', '--format', 'dot'], { cwd: project() });
    expect(result.stdout).toMatch(/^digraph "diamond" \{/);
    for (const edge of ['"a" -> "b"', '"a" -> "c"', '"b" -> "d"', '"c" -> "d"']) expect(result.stdout).toContain(edge);
  });

  it('rejects an unknown format with exit 2', async () => {
    const result = await runCli(['graph', 'diamond', '--format', 'png'], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format/);
  });
});

describe('weft list', () => {
  it('--json lists names, files and descriptions', async () => {
    const result = await runCli(['list', '--json'], { cwd: project() });
    expect(result.code).toBe(0);
    const found = JSON.parse(result.stdout) as Array<{ name: string; file: string; description?: string }>;
    const byName = Object.fromEntries(found.map((p) => [p.name, p]));
    expect(byName.diamond).toMatchObject({ file: 'pipelines/diamond.yaml', description: 'A diamond of four tasks' });
    expect(byName.hello).toMatchObject({ description: 'Say hello' });
  });

  it('prints a name and description per line', async () => {
    const result = await runCli(['list'], { cwd: project() });
    expect(result.stdout).toMatch(/^diamond\s+A diamond of four tasks$/m);
  });

  it('--dir points at another folder', async () => {
    const cwd = makeProject({ 'flows/only.yaml': 'tasks:\n  x: { run: echo x }\n' });
    const result = await runCli(['list', '--json', '--dir', 'flows'], { cwd });
    expect(JSON.parse(result.stdout).map((p: { name: string }) => p.name)).toEqual(['only']);
  });
});

describe('help, version and usage errors', () => {
  it('prints the top-level help listing every command', async () => {
    const result = await runCli(['--help'], { cwd: project() });
    expect(result.code).toBe(0);
    for (const command of ['run', 'validate', 'plan', 'graph', 'list']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
  });

  it('prints a command\'s own help', async () => {
    const result = await runCli(['run', '--help'], { cwd: project() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: weft run <pipeline>/);
    expect(result.stdout).toContain('--dry-run');
  });

  it('prints the package version', async () => {
    const result = await runCli(['--version'], { cwd: project() });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown flag, naming it, without a stack', async () => {
    const result = await runCli(['plan', 'diamond', '--jsn'], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown flag --jsn/);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('exits 2 on an unknown command with a suggestion', async () => {
    const result = await runCli(['plna', 'diamond'], { cwd: project() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/did you mean "plan"/);
  });
});
