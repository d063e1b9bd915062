import { describe, expect, it } from 'vitest';
import { selectTargets } from '../../engine/plan/select.js';
import { loadPipeline } from '../../engine/load/load.js';
import { makeProject } from '../support/project.js';
import { loadValid } from '../support/project.js';
import { runCli } from '../cli/support.js';

const make = `
description: compile, link, docs
default: [app]
tasks:
  compile: { description: compile the sources, run: echo compile }
  link: { needs: [compile], run: echo link }
  app: { description: the app, needs: [link], run: echo app }
  docs: { description: the docs, run: echo docs }
  helper: { internal: true, run: echo help }
  audit: { uses: ./audit.yaml, needs: [compile] }
  report: { needs: [audit], run: echo report }
outputs:
  built: "{{tasks.app.output.stdout}}"
`;
const audit = `
tasks:
  security: { run: echo sec }
  licenses: { run: echo lic }
  summary: { needs: [security, licenses], run: echo sum }
`;

describe('selectTargets', () => {
  it('keeps the named tasks and everything they need, in declaration order', async () => {
    const pipeline = await loadValid(makeProject({ 'pipeline.yaml': make, 'audit.yaml': audit }));
    expect(Object.keys(selectTargets(pipeline, ['link']).tasks)).toEqual(['compile', 'link']);
    expect(Object.keys(selectTargets(pipeline, ['link', 'docs']).tasks)).toEqual(['compile', 'link', 'docs']);
    // A partial selection reports no pipeline outputs: they may read tasks that do not run.
    expect(selectTargets(pipeline, ['docs']).outputs).toEqual({});
  });

  it('names a template task (audit.security) or a whole template call (audit)', async () => {
    const pipeline = await loadValid(makeProject({ 'pipeline.yaml': make, 'audit.yaml': audit }));
    expect(Object.keys(selectTargets(pipeline, ['audit.security']).tasks)).toEqual(['compile', 'audit.security']);
    expect(Object.keys(selectTargets(pipeline, ['audit']).tasks)).toEqual(['compile', 'audit.security', 'audit.licenses', 'audit.summary', 'audit']);
  });

  it('without names takes the default: targets, else every task', async () => {
    const pipeline = await loadValid(makeProject({ 'pipeline.yaml': make, 'audit.yaml': audit }));
    expect(Object.keys(selectTargets(pipeline).tasks)).toEqual(['compile', 'link', 'app']);
    const { targets: _, ...noDefault } = pipeline;
    expect(selectTargets(noDefault)).toBe(noDefault);
  });

  it('an unknown or internal name is one USAGE error listing each, with a did-you-mean', async () => {
    const pipeline = await loadValid(makeProject({ 'pipeline.yaml': make, 'audit.yaml': audit }));
    let caught: unknown;
    try {
      selectTargets(pipeline, ['lnk', 'helper', 'audit.securty']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'USAGE' });
    const messages = (caught as { problems: Array<{ message: string }> }).problems.map((p) => p.message);
    expect(messages).toEqual([
      'no task "lnk" in pipeline pipeline (did you mean "link"?)',
      'task "helper" is internal (a helper of pipeline pipeline), not a target',
      'no task "audit.securty" in pipeline pipeline (did you mean "audit.security"?)',
    ]);
  });

  it('validation reports a default: target that names no task at its FILE:LINE:COL', async () => {
    const dir = makeProject({ 'pipeline.yaml': 'default: [aap, helper]\ntasks:\n  app: { run: echo }\n  helper: { internal: true, run: echo }\n' });
    const { problems } = await loadPipeline(`${dir}/pipeline.yaml`, { cwd: dir });
    expect(problems.map((p) => [p.line, p.col, p.code, p.message])).toEqual([
      [1, 11, 'UNKNOWN_NEED', 'default[0]: no task "aap" (did you mean "app"?)'],
      [1, 16, 'PIPELINE_INVALID', 'default[1]: task "helper" is internal (a helper), not a target'],
    ]);
  });
});

describe('the CLI takes targets', () => {
  const files = { 'pipelines/make.yaml': make, 'pipelines/audit.yaml': audit };

  it('weft run PIPELINE TASK runs that task and its needs only; an unknown name is exit 2 with a did-you-mean', async () => {
    const cwd = makeProject(files);
    const ran = await runCli(['run', 'make', 'link', '--json'], { cwd });
    expect(ran.code).toBe(0);
    expect(Object.keys(JSON.parse(ran.stdout).tasks)).toEqual(['compile', 'link']);
    const bad = await runCli(['run', 'make', 'lnik'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no task "lnik" in pipeline make (did you mean "link"?)');
  });

  it('plan, graph and --dry-run show only the selected part', async () => {
    const cwd = makeProject(files);
    const plan = await runCli(['plan', 'make', 'audit.summary', '--json'], { cwd });
    expect(JSON.parse(plan.stdout).batches).toEqual([['compile'], ['audit.licenses', 'audit.security'], ['audit.summary']]);
    const graph = await runCli(['graph', 'make', 'link'], { cwd });
    expect(graph.stdout).toContain('compile');
    expect(graph.stdout).not.toContain('docs');
    const dry = await runCli(['run', 'make', 'docs', '--dry-run'], { cwd });
    expect(dry.stdout).toContain('docs');
    expect(dry.stdout).not.toContain('compile');
    expect((await runCli(['plan', 'make', 'nope'], { cwd })).code).toBe(2);
  });

  it('weft run PIPELINE with no task runs the default: targets', async () => {
    const cwd = makeProject(files);
    const ran = await runCli(['run', 'make', '--json'], { cwd });
    expect(Object.keys(JSON.parse(ran.stdout).tasks)).toEqual(['compile', 'link', 'app']);
  });

  it('weft list PIPELINE lists the tasks with descriptions, internal ones left out, defaults starred', async () => {
    const cwd = makeProject(files);
    const listed = await runCli(['list', 'make'], { cwd });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').slice(0, 4)).toEqual([
      '  compile         compile the sources',
      '  link',
      '* app             the app',
      '  docs            the docs',
    ]);
    expect(listed.stdout).not.toContain('helper');
    expect(listed.stdout).toContain('audit.security');
    const json = JSON.parse((await runCli(['list', 'make', '--json'], { cwd })).stdout);
    expect(json[0]).toEqual({ id: 'compile', description: 'compile the sources', default: false });
  });
});

describe('history is keyed by pipeline file and name (issue 9 item 15)', () => {
  it('--resume never picks up the run of another file that shares the name', async () => {
    const same = (word: string) => `name: shared\ntasks:\n  t: { run: echo ${word} >> ran-${word}.log }\n`;
    const cwd = makeProject({ 'pipelines/one.yaml': same('one'), 'pipelines/two.yaml': same('two') });
    expect((await runCli(['run', 'one'], { cwd })).code).toBe(0);
    const two = await runCli(['run', 'two', '--resume'], { cwd });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('no previous run of "shared" (pipelines/two.yaml)');
    expect((await runCli(['run', 'two'], { cwd })).code).toBe(0);
    const resumed = await runCli(['run', 'one', '--resume', '--json'], { cwd });
    expect(JSON.parse(resumed.stdout).tasks.t).toMatchObject({ resumed: true });
  });
});
