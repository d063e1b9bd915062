// The partials folder in the one template engine; names collide loudly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../engine/load/config.js';
import { loadPipeline } from '../../engine/load/load.js';
import { loadPartials, partialName } from '../../engine/load/partials.js';
import { runPipeline } from '../../engine/run/run.js';
import { makeProject } from '../support/project.js';
import { loadValid } from './support.js';

describe('partials', () => {
  it('are named by their path under the folder, without the last extension', async () => {
    const dir = makeProject({ 'partials/footer.hbs': 'bye', 'partials/review/rubric.md': 'be kind', 'partials/.swp': 'x' });
    expect(await loadPartials(defaultConfig(dir))).toEqual({ footer: 'bye', 'review/rubric': 'be kind' });
    expect(partialName(path.join('a', 'b.c.hbs'))).toBe('a/b.c');
  });

  it('a missing folder is no partials; partialsDir moves the folder', async () => {
    const dir = makeProject({ 'shared/x.hbs': 'X' });
    expect(await loadPartials(defaultConfig(dir))).toEqual({});
    expect(await loadPartials({ ...defaultConfig(dir), partialsDir: 'shared' })).toEqual({ x: 'X' });
  });

  it('render in task strings and in template files, with the task\'s scope', async () => {
    const dir = makeProject({
      'weft.config.yaml': 'partialsDir: parts\n',
      'parts/greet.hbs': 'hello {{inputs.who}}',
      'pipelines/p.yaml': `
inputs:
  who: { type: string, default: world }
tasks:
  say: { run: "printf %s '{{> greet}}'" }
  file:
    uses: template
    with: { source: "{{> greet}}!", to: out/greet.txt }
`,
    });
    const report = await runPipeline(await loadValid(dir, 'p'), { inputs: { who: 'weft' }, env: { PATH: process.env.PATH } });
    expect(report.status).toBe('success');
    expect((report.tasks.say as { output: { stdout: string } }).output.stdout).toBe('hello weft');
    expect(readFileSync(path.join(dir, 'out/greet.txt'), 'utf8')).toBe('hello weft!');
  });

  it('the same name twice is an error naming both files', async () => {
    const dir = makeProject({
      'partials/header.hbs': 'a',
      'partials/header.md': 'b',
      'pipelines/p.yaml': 'tasks:\n  a: { run: echo hi }\n',
    });
    await expect(loadPartials(defaultConfig(dir))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const { pipeline, problems } = await loadPipeline('p', { cwd: dir });
    expect(pipeline).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('partial "header" is defined twice: partials/header.hbs and partials/header.md') }),
    ]);
  });

  it('a partial nobody wrote is a validation error at the string that uses it', async () => {
    const dir = makeProject({ 'pipelines/p.yaml': 'tasks:\n  a: { run: "echo {{> nothing}}" }\n' });
    const { problems } = await loadPipeline('p', { cwd: dir });
    expect(problems).toEqual([expect.objectContaining({ line: 2, code: 'TEMPLATE_SYNTAX' })]);
  });

  it('a plugin helper named like a built-in one is refused when the pipeline loads', async () => {
    const dir = makeProject({
      'weft.config.yaml': 'plugins: [./clash.js]\n',
      'clash.js': 'export default { helpers: { json: (v) => String(v) } };\n',
      'pipelines/p.yaml': 'tasks:\n  a: { run: echo hi }\n',
    });
    const { problems } = await loadPipeline('p', { cwd: dir });
    expect(problems).toEqual([expect.objectContaining({ code: 'PLUGIN_INVALID', message: expect.stringContaining('"json"') })]);
  });
});
