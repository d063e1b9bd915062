// Broken templates and mismatched `with:` are reported at the right file and line.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../engine/load/load.js';
import { runPipeline } from '../../engine/run/run.js';
import { runCli } from '../cli/support.js';
import { lines, loadValid, shareFixtures } from './support.js';

const broken = path.join(shareFixtures, 'broken');

async function problemsOf(name: string) {
  const { pipeline, problems } = await loadPipeline(name, { cwd: broken });
  expect(pipeline).toBeUndefined();
  return problems;
}

describe('errors in and around templates', () => {
  it('a problem inside a template is at the template\'s line, with the call site', async () => {
    const problems = await problemsOf('uses-broken');
    expect(problems.map((p) => p.code)).toEqual(['UNKNOWN_NEED']);
    expect(lines(problems, broken)).toEqual([
      'templates/checks.yaml:8:13: tasks.report.needs[0]: no task "lnit" (did you mean "lint"?) (used by pipelines/uses-broken.yaml:5:3)',
    ]);
  });

  it('through a template that uses it, the chain of call sites', async () => {
    const [problem, ...rest] = await problemsOf('nested-broken');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: path.join(broken, 'templates/checks.yaml'), line: 8, col: 13, code: 'UNKNOWN_NEED' });
    expect(problem!.message).toMatch(/\(used by templates\/wrapper\.yaml:5:3 <- pipelines\/nested-broken\.yaml:2:3\)$/);
  });

  it('a with: that does not fit the inputs: every mismatch, at the call', async () => {
    const problems = await problemsOf('bad-with');
    expect(problems.every((p) => p.file === path.join(broken, 'pipelines/bad-with.yaml'))).toBe(true);
    expect(problems.map((p) => [p.line, p.col, p.code, p.taskId])).toEqual([
      [3, 11, 'INPUT_INVALID', 'first'], // required target missing: at uses
      [5, 7, 'INPUT_INVALID', 'first'], // unknown key targte
      [6, 7, 'INPUT_INVALID', 'first'], // depth 7 not in enum
      [7, 7, 'INPUT_INVALID', 'first'], // strict "yes" is not a boolean
      [10, 5, 'UNKNOWN_KEY', 'second'], // retry on a call
      [11, 27, 'INPUT_INVALID', 'second'], // depth "two" is not an integer
    ]);
    expect(problems[1]!.message).toContain('template typed has no input "targte" (inputs: target, depth, strict)');
  });

  it('a template that uses itself through another is a cycle, with the chain', async () => {
    const problems = await problemsOf('loop');
    expect(problems.map((p) => p.code)).toEqual(['TEMPLATE_CYCLE']);
    expect(lines(problems, broken)[0]).toBe(
      'templates/loop-b.yaml:5:11: task back: template cycle: loop-a -> loop-b -> loop-a (used by templates/loop-a.yaml:4:3 <- pipelines/loop.yaml:2:3)',
    );
  });

  it('a template that uses itself directly is a cycle too', async () => {
    const { problems } = await loadPipeline(path.join(broken, 'templates/self.yaml'), { cwd: broken });
    expect(lines(problems, broken)).toEqual(['templates/self.yaml:5:11: task again: template cycle: self -> self']);
  });

  it('unknown templates: by name, by path and by package, each at its uses:', async () => {
    const problems = await problemsOf('missing');
    expect(problems.map((p) => [p.line, p.col, p.code])).toEqual([
      [3, 11, 'UNKNOWN_EXECUTOR'],
      [5, 11, 'UNKNOWN_EXECUTOR'],
      [7, 11, 'UNKNOWN_EXECUTOR'],
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('template "nope" not found'),
      expect.stringContaining('template file ./nope.yaml not found'),
      expect.stringContaining('package "not-installed" is not installed'),
    ]);
  });

  it('weft validate prints each problem as FILE:LINE:COL and exits 2', async () => {
    const { code, stderr } = await runCli(['validate', 'bad-with', 'uses-broken'], { cwd: broken });
    expect(code).toBe(2);
    const printed = stderr.trim().split('\n');
    expect(printed).toHaveLength(7);
    expect(printed[0]).toBe('pipelines/bad-with.yaml:3:11: task first: template typed needs input "target"');
    expect(printed[6]).toMatch(/^templates\/checks\.yaml:8:13: .*\(used by pipelines\/uses-broken\.yaml:5:3\)$/);
  });

  it('a with: that renders to the wrong type fails the template\'s tasks at run time', async () => {
    const report = await runPipeline(await loadValid(broken, 'late-with'), { env: { PATH: process.env.PATH } });
    expect(report.status).toBe('failed');
    expect(report.tasks['typed.show']).toMatchObject({ status: 'failed', error: { code: 'INPUT_INVALID' } });
    expect((report.tasks['typed.show'] as { error: { message: string } }).error.message).toContain('input "target" of template typed must be a string');
    expect(report.tasks.typed).toMatchObject({ status: 'failed' });
    expect(report.tasks.after).toMatchObject({ status: 'skipped', reason: 'upstream' });
  });
});
