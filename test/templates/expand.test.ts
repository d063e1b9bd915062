// Pipeline templates used as tasks: expansion into the caller's graph, plan, and real runs.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPipeline } from '../../engine/plan/plan.js';
import { runPipeline } from '../../engine/run/run.js';
import { runCli } from '../cli/support.js';
import { makeProject } from '../support/project.js';
import { loadValid, shareFixtures } from './support.js';

const project = path.join(shareFixtures, 'audit');
const audits = ['security', 'quality', 'accessibility', 'consistency', 'performance', 'content', 'navigation'];

describe('a seven-audit template used by two pipelines', () => {
  it('weft plan shows three batches of namespaced ids for each caller', async () => {
    for (const [name, ns] of [['site', 'audit'], ['docs', 'docs-audit']] as const) {
      const { code, stdout, stderr } = await runCli(['plan', name, '--json'], { cwd: project });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const plan = JSON.parse(stdout) as { batches: string[][]; criticalPath: string[] };
      const ids = (...local: string[]) => local.map((id) => `${ns}.${id}`).sort();
      expect(plan.batches.map((b) => [...b].sort())).toEqual([
        ids('security', 'quality', 'accessibility', 'consistency'),
        ids('performance', 'content'),
        ids('navigation'),
      ]);
      expect(plan.criticalPath).toEqual(ids('accessibility').concat(`${ns}.content`, `${ns}.navigation`));
    }
  });

  it('expands to namespaced tasks plus a join that needs the top-level ones', async () => {
    const pipeline = await loadValid(project, 'site');
    expect(Object.keys(pipeline.tasks)).toEqual([...audits.map((a) => `audit.${a}`), 'audit']);
    expect(pipeline.tasks['audit.performance']!.needs).toEqual(['audit.quality']);
    expect(pipeline.tasks['audit']!.join).toBe(true);
    expect([...pipeline.tasks['audit']!.needs].sort()).toEqual(audits.map((a) => `audit.${a}`).sort());
    // The template's pool joins the run's pools, and its defaults reached its tasks.
    expect(pipeline.pools.audits).toEqual({ concurrency: 2 });
    expect(pipeline.tasks['audit.security']!.pool).toBe('audits');
    expect(planPipeline(pipeline).batches.flat()).not.toContain('audit');
  });

  it('runs with each caller\'s inputs: siblings by local id, partials, outputs as the call\'s output', async () => {
    const site = await runPipeline(await loadValid(project, 'site'), { env: { PATH: process.env.PATH } });
    expect(site.status).toBe('success');
    const out = (id: string) => (site.tasks[id] as { output: { stdout: string } }).output.stdout;
    expect(out('audit.security')).toBe('security site\n');
    expect(out('audit.performance')).toBe('performance after quality site 1\n\n');
    expect(out('audit.content')).toBe('[content]\n');
    expect(out('audit.navigation')).toBe('navigation strict=true\n');
    expect(site.tasks.audit).toMatchObject({ status: 'success', output: { target: 'site', navigation: 'navigation strict=true\n' } });
    expect(site.outputs).toEqual({ navigation: 'navigation strict=true\n', performance: 'performance after quality site 1\n\n' });

    const docs = await runPipeline(await loadValid(project, 'docs'), { env: { PATH: process.env.PATH } });
    expect(docs.status).toBe('success');
    expect(docs.outputs).toEqual({ target: 'docs', performance: 'performance after quality docs 3\n\n' });
  });

  it('a run-time --var reaches the template through the call\'s with', async () => {
    const report = await runPipeline(await loadValid(project, 'site'), { inputs: { target: 'blog' }, env: { PATH: process.env.PATH } });
    expect(report.outputs.performance).toBe('performance after quality blog 1\n\n');
  });

  it('the template\'s pool limits its tasks across the boundary', async () => {
    // Each task counts the tasks inside the pool's critical section while it is there. Without
    // the pool, the run's concurrency lets these five overlap; with it, one runs at a time.
    const dir = makeProject({
      'templates/slow.yaml': `
inputs:
  tag: { type: string, required: true }
pools:
  narrow: { concurrency: 1 }
defaults:
  pool: narrow
tasks:
${['a', 'b', 'c', 'd', 'e'].map((id) => `  ${id}: { run: "mkdir -p running && touch running/${id} && ls running | wc -l && sleep 0.3 && rm running/${id}" }`).join('\n')}
`,
      'pipelines/main.yaml': `
concurrency: 8
tasks:
  slow: { uses: template:slow, with: { tag: x } }
`,
    });
    const report = await runPipeline(await loadValid(dir, 'main'), { env: { PATH: process.env.PATH } });
    expect(report.status).toBe('success');
    const seen = ['a', 'b', 'c', 'd', 'e'].map((id) => Number((report.tasks[`slow.${id}`] as { output: { stdout: string } }).output.stdout));
    expect(Math.max(...seen)).toBe(1);
  });
});

describe('templates inside templates', () => {
  const files = {
    'templates/checks.yaml': `
inputs:
  word: { type: string, required: true }
tasks:
  say: { run: "printf %s {{inputs.word}}" }
  again: { needs: [say], run: "printf %s {{tasks.say.output.stdout}}+{{inputs.word}}" }
outputs:
  said: "{{tasks.again.output.stdout}}"
`,
    'templates/outer.yaml': `
inputs:
  name: { type: string, required: true }
tasks:
  first: { run: "printf %s first-{{inputs.name}}" }
  checks:
    needs: [first]
    uses: template:checks
    with: { word: "{{inputs.name}}-{{tasks.first.output.stdout}}" }
  last: { needs: [checks], run: "printf %s last:{{tasks.checks.output.said}}" }
outputs:
  last: "{{tasks.last.output.stdout}}"
`,
    'pipelines/main.yaml': `
tasks:
  setup: { run: echo setup }
  outer:
    needs: [setup]
    uses: template:outer
    with: { name: x }
  done: { needs: [outer], run: "printf %s {{tasks.outer.output.last}}" }
`,
  };

  it('nests ids and scopes, waits on the outer call\'s needs, and passes outputs out', async () => {
    const dir = makeProject(files);
    const pipeline = await loadValid(dir, 'main');
    expect(Object.keys(pipeline.tasks)).toEqual([
      'setup', 'outer.first', 'outer.checks.say', 'outer.checks.again', 'outer.checks', 'outer.last', 'outer', 'done',
    ]);
    expect(pipeline.tasks['outer.first']!.needs).toEqual(['setup']);
    expect(pipeline.tasks['outer.checks.say']!.needs).toEqual(['outer.first']);
    expect(planPipeline(pipeline).batches).toEqual([['setup'], ['outer.first'], ['outer.checks.say'], ['outer.checks.again'], ['outer.last'], ['done']]);

    const report = await runPipeline(pipeline, { env: { PATH: process.env.PATH } });
    expect(report.status).toBe('success');
    expect((report.tasks['outer.checks.again'] as { output: { stdout: string } }).output.stdout).toBe('x-first-x+x-first-x');
    expect((report.tasks.done as { output: { stdout: string } }).output.stdout).toBe('last:x-first-x+x-first-x');
  });

  it('a failing task fails the call, and what needs the call is skipped', async () => {
    const dir = makeProject({
      ...files,
      'templates/checks.yaml': `
inputs:
  word: { type: string, required: true }
tasks:
  say: { run: "exit 3" }
outputs:
  said: "{{tasks.say.output.stdout}}"
`,
    });
    const report = await runPipeline(await loadValid(dir, 'main'), { env: { PATH: process.env.PATH } });
    expect(report.status).toBe('failed');
    expect(report.tasks['outer.checks.say']).toMatchObject({ status: 'failed' });
    expect(report.tasks['outer.checks']).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } });
    expect(report.tasks['outer.last']).toMatchObject({ status: 'skipped', reason: 'upstream' });
    expect(report.tasks.outer).toMatchObject({ status: 'failed' });
    expect(report.tasks.done).toMatchObject({ status: 'skipped', reason: 'upstream' });
  });
});
