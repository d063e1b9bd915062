import { describe, expect, it } from 'vitest';
import { makeProject, runCli, spawnBin, stackLines } from './support.js';

describe('did-you-mean', () => {
  const cwd = makeProject({
    'pipelines/site.yaml': 'tasks:\n  a: { run: echo a }\n',
    'pipelines/calls.yaml': 'tasks:\n  t: { uses: template:node-cl }\n',
    'templates/node-cli.yaml': 'inputs: {}\ntasks:\n  x: { run: echo x }\n',
  });

  it.each([
    [['rn', 'site'], 'unknown command "rn" (did you mean "run"?)'],
    [['plna', 'site'], 'unknown command "plna" (did you mean "plan"?)'],
    [['run', 'site', '--concurency', '2'], 'unknown flag --concurency (did you mean --concurrency?)'],
    [['run', 'site', '--dry-rn'], 'unknown flag --dry-rn (did you mean --dry-run?)'],
    [['run', 'sit'], 'did you mean "site"?'],
    [['init', '--template', 'audt'], 'unknown starter "audt" (did you mean "audit"?)'],
  ])('weft %j', async (argv, message) => {
    const result = await runCli(argv, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('names the template a template call most likely meant, at its position', async () => {
    const result = await spawnBin(['validate', 'calls'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pipelines\/calls\.yaml:2:\d+: .*template "node-cl" not found.*\(did you mean "node-cli"\?\)/m);
  });
});

describe('template syntax errors in words', () => {
  it('name the block that is never closed, with its line and column in the template', async () => {
    const cwd = makeProject({
      'pipelines/broken.yaml': 'tasks:\n  a:\n    run: |\n      echo start\n      {{#if inputs.loud}}echo LOUD\n',
    });
    const result = await spawnBin(['validate', 'broken'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pipelines\/broken\.yaml:\d+:\d+: .*`\{\{#if\}\}` at line 2, column 1 is never closed: add \{\{\/if\}\}$/m);
    expect(result.stderr).not.toMatch(/OPEN_INVERSE|Expecting/);
  });
});
