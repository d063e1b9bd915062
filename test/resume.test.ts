import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../engine/cli/args.js';
import { runPipeline } from '../engine/run/run.js';
import { findRun, saveRun } from '../engine/run/history.js';
import type { RunReport } from '../engine/types.js';
import { makeProject, spawnBin } from './cli/support.js';
import { loadValid, runYaml } from './support/project.js';

// Runs execute tasks in worker threads loaded from dist/, and the bin runs dist/: `npx tsc` first.

/** Lines a task appended to a counter file: how many times its command really ran. */
function count(dir: string, file: string): number {
  const p = path.join(dir, file);
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).length : 0;
}

// a counts its runs; b fails until ok.flag exists; c reads a's output; d runs whatever b did.
const flaky = `
tasks:
  a: { run: "echo ran >> a.count; echo from-a" }
  b: { needs: [a], run: "echo ran >> b.count; test -f ok.flag" }
  c: { needs: [b], run: "echo ran >> c.count; echo got {{tasks.a.output.stdout}}" }
  d: { needs: [b], when: always, run: "echo ran >> d.count" }
`;

describe('runPipeline({ resume })', () => {
  it('reuses what succeeded, runs the rest, and feeds reused outputs to the tasks that run', async () => {
    const { report: first, dir } = await runYaml(flaky);
    expect(first.status).toBe('failed');
    expect(first.tasks.a!.status).toBe('success');
    expect(first.tasks.b!.status).toBe('failed');
    expect(first.tasks.d!.status).toBe('success');

    writeFileSync(path.join(dir, 'ok.flag'), '');
    const second = await runPipeline(await loadValid(dir), { resume: first });

    expect(second.status).toBe('success');
    expect(second.runId).not.toBe(first.runId);
    expect(second.resumedFrom).toBe(first.runId);
    expect(second.tasks.a).toMatchObject({ status: 'success', attempts: 0, resumed: true });
    expect(second.tasks.a!.status === 'success' && second.tasks.a!.output).toEqual(
      first.tasks.a!.status === 'success' && first.tasks.a!.output,
    );
    expect(count(dir, 'a.count')).toBe(1);
    expect(second.tasks.b).toMatchObject({ status: 'success', attempts: 1 });
    expect(second.tasks.b).not.toHaveProperty('resumed');
    expect(count(dir, 'b.count')).toBe(2);
    // c templates a's reused output.
    const c = second.tasks.c!;
    expect(c.status === 'success' && (c.output as { stdout: string }).stdout).toBe('got from-a\n\n');
    // d succeeded before, but after a failed b: b ran again, so d's inputs may differ and it runs again.
    expect(second.tasks.d).toMatchObject({ status: 'success', attempts: 1 });
    expect(count(dir, 'd.count')).toBe(2);
  });

  it('a run resumed from a successful run runs nothing', async () => {
    const { report: first, dir } = await runYaml(flaky, { files: { 'ok.flag': '' } });
    expect(first.status).toBe('success');
    const second = await runPipeline(await loadValid(dir), { resume: first });
    expect(second.status).toBe('success');
    for (const id of ['a', 'b', 'c', 'd']) expect(second.tasks[id]).toMatchObject({ status: 'success', attempts: 0, resumed: true });
    expect(['a.count', 'b.count', 'c.count', 'd.count'].map((f) => count(dir, f))).toEqual([1, 1, 1, 1]);
  });

  it('forEach: reuses the instances that succeeded, runs the failed ones', async () => {
    const yaml = `
tasks:
  list: { uses: shell, with: { command: "echo '[1,2,3,4]'", output: json } }
  each:
    needs: [list]
    forEach: "{{tasks.list.output.json}}"
    run: "echo {{item}} >> each.count; test {{item}} -ne 3 || test -f ok.flag"
`;
    const { report: first, dir } = await runYaml(yaml, { keepGoing: true });
    expect(first.tasks['each[2]']!.status).toBe('failed');
    writeFileSync(path.join(dir, 'ok.flag'), '');

    const second = await runPipeline(await loadValid(dir), { resume: first });
    expect(second.status).toBe('success');
    for (const id of ['list', 'each[0]', 'each[1]', 'each[3]']) expect(second.tasks[id]).toMatchObject({ attempts: 0, resumed: true });
    expect(second.tasks['each[2]']).toMatchObject({ status: 'success', attempts: 1 });
    expect(readFileSync(path.join(dir, 'each.count'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['1', '2', '3', '3', '4']);
  });

  it('forEach: a different instance count runs every instance, since an index now means another item', async () => {
    const yaml = (chunk: string) => `
tasks:
  list: { uses: shell, with: { command: "echo '[1,2,3,4]'", output: json } }
  each:
    needs: [list]
    forEach: { items: "{{tasks.list.output.json}}"${chunk} }
    run: "echo ran >> each.count; echo {{json item}}"
`;
    const { report: first, dir } = await runYaml(yaml(''));
    expect(first.status).toBe('success');
    writeFileSync(path.join(dir, 'pipeline.yaml'), yaml(', chunk: 2'));
    const second = await runPipeline(await loadValid(dir), { resume: first });
    expect(second.tasks.list).toMatchObject({ resumed: true });
    expect(Object.keys(second.tasks).filter((id) => id.startsWith('each['))).toEqual(['each[0]', 'each[1]']);
    for (const id of ['each[0]', 'each[1]']) expect(second.tasks[id]).toMatchObject({ status: 'success', attempts: 1 });
    expect(second.tasks['each[0]']!.status === 'success' && (second.tasks['each[0]']!.output as { stdout: string }).stdout).toBe('[1,2]\n');
    expect(count(dir, 'each.count')).toBe(4 + 2);
  });
});

// A pipeline as history knows it: its name and its file relative to the root.
const P = { name: 'p', file: 'p.yaml' };

describe('run history', () => {
  it('findRun picks the latest run of the pipeline, by start time, and never another pipeline\'s', async () => {
    const dir = makeProject({});
    const report = (runId: string, pipeline: string, startedAt: number): RunReport => ({
      pipeline, runId, status: 'failed', startedAt, endedAt: startedAt + 1, durationMs: 1, tasks: {}, outputs: {},
      usage: { byModel: {}, totalTokens: 0, costUsd: 0 },
    });
    // Same second, so the file names' order is not the runs' order.
    const save = (r: RunReport) => saveRun(dir, { pipeline: r.pipeline, file: 'p.yaml', hash: 'h', inputsHash: 'i', report: r });
    await save(report('2026-01-01T00-00-00-ffffff', 'p', 1000));
    await save(report('2026-01-01T00-00-00-000000', 'p', 2000));
    await save(report('2026-01-01T00-00-01-aaaaaa', 'other', 3000));
    expect((await findRun(dir, P)).report.runId).toBe('2026-01-01T00-00-00-000000');
    expect((await findRun(dir, P, '2026-01-01T00-00-00-ffffff')).report.startedAt).toBe(1000);
    await expect(findRun(dir, P, '2026-01-01T00-00-01-aaaaaa')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(findRun(dir, P, '../../etc/passwd')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(findRun(dir, { name: 'none', file: 'p.yaml' })).rejects.toMatchObject({ code: 'USAGE' });
    expect(readdirSync(path.join(dir, '.weft/runs')).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });

  it('keeps the newest runs and deletes older ones as new runs are saved', async () => {
    const dir = makeProject({});
    const save = (i: number) =>
      saveRun(
        dir,
        {
          pipeline: 'p', file: 'p.yaml', hash: 'h', inputsHash: 'i',
          report: { pipeline: 'p', runId: `run-${String(i).padStart(2, '0')}`, status: 'success', startedAt: i, endedAt: i, durationMs: 0, tasks: {}, outputs: {}, usage: { byModel: {}, totalTokens: 0, costUsd: 0 } },
        },
        3,
      );
    for (let i = 0; i < 5; i++) {
      await save(i);
      // Distinct modification times, whatever the filesystem's resolution.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readdirSync(path.join(dir, '.weft/runs')).sort()).toEqual(['run-02.json', 'run-03.json', 'run-04.json']);
    expect((await findRun(dir, P)).report.runId).toBe('run-04');
  });

  it('--resume takes the next argument as the run only after the pipeline', () => {
    const flags = { resume: { type: 'string' as const, optionalValue: true }, json: { type: 'boolean' as const }, var: { type: 'string' as const, multiple: true } };
    expect(parseFlags(['p', '--resume'], flags)).toMatchObject({ values: { resume: '' }, positionals: ['p'] });
    expect(parseFlags(['p', '--resume', 'RUN', '--json'], flags)).toMatchObject({ values: { resume: 'RUN', json: true }, positionals: ['p'] });
    expect(parseFlags(['--resume', 'p'], flags)).toMatchObject({ values: { resume: '' }, positionals: ['p'] });
    expect(parseFlags(['p', '--resume', '--json'], flags)).toMatchObject({ values: { resume: '', json: true }, positionals: ['p'] });
    expect(parseFlags(['--var', 'k=v', '--resume', 'p'], flags)).toMatchObject({ values: { resume: '' }, positionals: ['p'] });
    expect(parseFlags(['p', '--resume=RUN'], flags)).toMatchObject({ values: { resume: 'RUN' }, positionals: ['p'] });
    expect(parseFlags(['p'], flags).values.resume).toBeUndefined();
  });
});

describe('weft run --resume (the real bin)', () => {
  const flakyWithSecret = `${flaky}  e: { needs: [a], run: "echo token={{secrets.TOKEN}}" }
`;
  const env = { TOKEN: 'tok-8f3a91c2e7' };

  it('keeps every run in .weft/runs and resumes the latest: a ran once, b ran twice', async () => {
    const cwd = makeProject({ 'pipelines/flaky.yaml': flakyWithSecret });
    const first = await spawnBin(['run', 'flaky', '--json'], { cwd, env });
    expect(first.code).toBe(1);
    const firstReport = JSON.parse(first.stdout) as RunReport;

    const runs = path.join(cwd, '.weft/runs');
    expect(readdirSync(runs)).toEqual([`${firstReport.runId}.json`]);
    const saved = readFileSync(path.join(runs, `${firstReport.runId}.json`), 'utf8');
    const record = JSON.parse(saved);
    expect(record).toMatchObject({ pipeline: 'flaky', file: path.join('pipelines', 'flaky.yaml'), report: { runId: firstReport.runId, status: 'failed' } });
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(saved).not.toContain(env.TOKEN);
    expect(record.report.tasks.e.output.stdout).toBe('token=***\n');

    writeFileSync(path.join(cwd, 'ok.flag'), '');
    const second = await spawnBin(['run', 'flaky', '--resume', '--json'], { cwd, env });
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as RunReport;
    expect(report.resumedFrom).toBe(firstReport.runId);
    expect(report.runId).not.toBe(firstReport.runId);
    expect(report.tasks.a).toMatchObject({ status: 'success', attempts: 0, resumed: true });
    expect(report.tasks.b).toMatchObject({ status: 'success', attempts: 1 });
    expect(count(cwd, 'a.count')).toBe(1);
    expect(count(cwd, 'b.count')).toBe(2);
    expect(second.stderr).not.toContain('changed since');
    expect(readdirSync(runs).sort()).toEqual([`${firstReport.runId}.json`, `${report.runId}.json`].sort());
  });

  it('--resume warns when a template file the pipeline uses changed, not only the pipeline file', async () => {
    const cwd = makeProject({
      'templates/step.yaml': 'inputs: { word: { type: string } }\ntasks:\n  say: { run: "echo {{inputs.word}}" }\n',
      'pipelines/calls.yaml': 'tasks:\n  s: { uses: template:step, with: { word: hi } }\n',
    });
    const first = JSON.parse((await spawnBin(['run', 'calls', '--json'], { cwd })).stdout) as RunReport;
    const same = await spawnBin(['run', 'calls', '--resume', first.runId], { cwd });
    expect(same.code).toBe(0);
    expect(same.stdout + same.stderr).not.toContain('changed since');
    writeFileSync(path.join(cwd, 'templates/step.yaml'), 'inputs: { word: { type: string } }\ntasks:\n  say: { run: "echo {{inputs.word}} again" }\n');
    const changed = await spawnBin(['run', 'calls', '--resume', first.runId], { cwd });
    expect(changed.code).toBe(0);
    expect(changed.stdout + changed.stderr).toMatch(/changed since run/);
  });

  it('--resume RUN resumes that run; a changed pipeline file warns', async () => {
    const cwd = makeProject({ 'pipelines/flaky.yaml': flaky });
    const first = JSON.parse((await spawnBin(['run', 'flaky', '--json'], { cwd })).stdout) as RunReport;
    writeFileSync(path.join(cwd, 'ok.flag'), '');
    // A later successful run, so "latest" would be the wrong one.
    const latest = await spawnBin(['run', 'flaky'], { cwd });
    expect(latest.code).toBe(0);
    expect(count(cwd, 'a.count')).toBe(2);

    writeFileSync(path.join(cwd, 'pipelines/flaky.yaml'), `${flaky}  z: { run: "true" }\n`);
    const resumed = await spawnBin(['run', 'flaky', '--resume', first.runId], { cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/changed since run .*reused/);
    expect(count(cwd, 'a.count')).toBe(2);
    expect(count(cwd, 'b.count')).toBe(3);
  });

  it('other --var values than the resumed run\'s warn', async () => {
    const cwd = makeProject({ 'pipelines/greet.yaml': 'inputs: { who: { type: string, default: x } }\ntasks:\n  a: { run: "echo {{inputs.who}}" }\n' });
    expect((await spawnBin(['run', 'greet', '--var', 'who=ann'], { cwd })).code).toBe(0);
    const same = await spawnBin(['run', 'greet', '--var', 'who=ann', '--resume'], { cwd });
    expect(same.stdout).not.toContain('inputs differ');
    const other = await spawnBin(['run', 'greet', '--var', 'who=bob', '--resume'], { cwd });
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/inputs differ from run/);
  });

  it('no previous run, or an unknown run id, is exit 2 with a message that says so', async () => {
    const cwd = makeProject({ 'pipelines/flaky.yaml': flaky });
    const none = await spawnBin(['run', 'flaky', '--resume'], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no previous run of "flaky"');
    expect(count(cwd, 'a.count')).toBe(0);

    const unknown = await spawnBin(['run', 'flaky', '--resume', '2020-01-01T00-00-00-000000'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run "2020-01-01T00-00-00-000000"');
    expect(count(cwd, 'a.count')).toBe(0);
  });

  it('a dry run is not kept: there is nothing to resume from it', async () => {
    const cwd = makeProject({ 'pipelines/flaky.yaml': flaky });
    const dry = await spawnBin(['run', 'flaky', '--dry-run'], { cwd });
    expect(dry.code).toBe(0);
    expect(existsSync(path.join(cwd, '.weft/runs'))).toBe(false);
  });
});
