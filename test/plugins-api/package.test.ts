// A template and a plugin shipped as a local npm package, installed into a project with npm,
// used by name: `plugins: [acme-weft]` and `uses: acme-weft/wordcheck`.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../engine/load/load.js';
import { runPipeline } from '../../engine/run/run.js';
import { runCli } from '../cli/support.js';
import { copyShareFixtures, lines, loadValid } from '../templates/support.js';

let project: string;

beforeAll(() => {
  project = path.join(copyShareFixtures(), 'packaged');
  // A file: dependency installs as a symlink; --offline keeps the registry out of it.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
}, 120_000);

type Output = { count: number; longest: string; threadId: number };

describe('a plugin and a template from an installed package', () => {
  it('npm installed the package as a link to its folder', () => {
    expect(lstatSync(path.join(project, 'node_modules/acme-weft')).isSymbolicLink()).toBe(true);
  });

  it('weft plugins lists its executor and helper with where they come from', async () => {
    const text = await runCli(['plugins'], { cwd: project });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}count-words +acme-weft +Count the words/m);
    expect(text.stdout).toMatch(/^ {2}shell +built-in /m);
    expect(text.stdout).toMatch(/^ {2}shout +acme-weft$/m);

    const json = await runCli(['plugins', '--json'], { cwd: project });
    const listed = JSON.parse(json.stdout) as { executors: Array<{ name: string; source: string; schema: unknown }>; helpers: Array<{ name: string; source: string }> };
    expect(listed.executors.find((e) => e.name === 'count-words')).toMatchObject({ source: 'acme-weft', schema: { required: ['text'] } });
    expect(listed.helpers).toContainEqual({ name: 'shout', source: 'acme-weft' });
    expect(listed.helpers).toContainEqual({ name: 'eq', source: 'built-in' });
  });

  it('runs the packaged template and the plugin executor on the worker pool', async () => {
    const report = await runPipeline(await loadValid(project, 'words'), { env: { PATH: process.env.PATH } });
    expect(report.status).toBe('success');
    expect(report.outputs).toMatchObject({ all: 5, long: 3, label: 'QUICK\n', shout: 'QUICK\n 2\n' });
    for (const id of ['check.all', 'check.long', 'direct']) {
      const output = (report.tasks[id] as { output: Output }).output;
      // threadId 0 is the main thread: a plugin executor runs in one of the pool's workers.
      expect(output.threadId).toBeGreaterThan(0);
    }
    expect((report.tasks.direct as { output: Output }).output).toMatchObject({ count: 2, longest: 'alpha' });
  });

  it('a plugin helper works in a template file rendered in a worker, as in with: values', async () => {
    writeFileSync(
      path.join(project, 'pipelines', 'shouted.yaml'),
      `tasks:
  page:
    uses: template
    with: { source: "{{shout pipeline.name}} / {{shout data.word}}", to: out/shouted.txt, data: { word: quiet } }
`,
    );
    const report = await runPipeline(await loadValid(project, 'shouted'), { env: { PATH: process.env.PATH } });
    expect(report.tasks.page).toMatchObject({ status: 'success' });
    expect(readFileSync(path.join(project, 'out/shouted.txt'), 'utf8')).toBe('SHOUTED / QUIET');
  });

  it('the plugin executor\'s schema checks with: at validation, at the line', async () => {
    writeFileSync(
      path.join(project, 'pipelines/bad.yaml'),
      ['tasks:', '  count:', '    uses: count-words', '    with:', '      text: hi', '      minLength: 0', '      colour: red', ''].join('\n'),
    );
    const { pipeline, problems } = await loadPipeline('bad', { cwd: project });
    expect(pipeline).toBeUndefined();
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [6, 'PIPELINE_INVALID'],
      [7, 'UNKNOWN_KEY'],
    ]);
    expect(lines(problems, project)[0]).toMatch(/^pipelines\/bad\.yaml:6:\d+: .*minLength/);
  });

  it('with: of the packaged template is checked against its inputs at the call', async () => {
    writeFileSync(path.join(project, 'pipelines/bad-call.yaml'), 'tasks:\n  check:\n    uses: acme-weft/wordcheck\n    with: { txt: hi }\n');
    const { problems } = await loadPipeline('bad-call', { cwd: project });
    expect(lines(problems, project)).toEqual([
      'pipelines/bad-call.yaml:3:11: task check: template wordcheck needs input "text"',
      'pipelines/bad-call.yaml:4:13: task check: template wordcheck has no input "txt" (inputs: text, min)',
    ]);
  });

  it('a plugin from a path works the same way next to the package', async () => {
    writeFileSync(
      path.join(project, 'upper.js'),
      "export default { executors: { upper: { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } }, async run(w) { return w.text.toUpperCase(); } } } };\n",
    );
    writeFileSync(path.join(project, 'weft.config.yaml'), 'plugins: [acme-weft, ./upper.js]\n');
    writeFileSync(path.join(project, 'pipelines/upper.yaml'), 'tasks:\n  up: { uses: upper, with: { text: "{{shout \'a\'}}b" } }\n');
    const report = await runPipeline(await loadValid(project, 'upper'), { env: { PATH: process.env.PATH } });
    expect(report.tasks.up).toMatchObject({ status: 'success', output: 'AB' });
    const listed = await runCli(['plugins'], { cwd: project });
    expect(listed.stdout).toMatch(/^ {2}upper +\.\/upper\.js$/m);
  });

  it('two plugins with one executor name collide loudly', async () => {
    writeFileSync(path.join(project, 'again.js'), "export default { executors: { 'count-words': { schema: {}, async run() { return 0; } } } };\n");
    writeFileSync(path.join(project, 'weft.config.yaml'), 'plugins: [acme-weft, ./again.js]\n');
    const { code, stderr } = await runCli(['plugins'], { cwd: project });
    expect(code).toBe(2);
    expect(stderr).toContain('executor "count-words" from ./again.js collides with the one from acme-weft');
  });
});
