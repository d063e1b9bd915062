import { readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../engine/types.js';
import { runCli } from '../cli/support.js';
import { makeProject } from '../support/project.js';

// A Makefile-like pipeline: two compiles, a link, docs, and an announcement that templates the
// link's output. Every command appends its name to ran.log: what really ran.
const build = `
tasks:
  compile_a:
    sources: [src/a.c]
    generates: [out/a.o]
    run: echo compile_a >> ran.log; mkdir -p out; cp src/a.c out/a.o
  compile_b:
    sources: [src/b.c]
    generates: [out/b.o]
    run: echo compile_b >> ran.log; mkdir -p out; cp src/b.c out/b.o
  link:
    needs: [compile_a, compile_b]
    sources: ["out/*.o"]
    generates: [out/app]
    run: echo link >> ran.log; cat out/a.o out/b.o > out/app; echo linked
  announce:
    needs: [link]
    generates: [out/announce.txt]
    run: echo announce >> ran.log; echo {{tasks.link.output.stdout}} > out/announce.txt
  docs:
    sources: ["src/*.c"]
    generates: [out/docs.txt]
    run: echo docs >> ran.log; mkdir -p out; ls src > out/docs.txt
`;

function project(): string {
  return makeProject({ 'pipelines/build.yaml': build, 'src/a.c': 'int a;\n', 'src/b.c': 'int b;\n' });
}

/** Run through the CLI in-process; returns the report and what ran (and clears the log). */
async function run(cwd: string, ...args: string[]): Promise<{ report: RunReport; ran: string[] }> {
  const result = await runCli(['run', 'build', ...args, '--json'], { cwd });
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  const log = path.join(cwd, 'ran.log');
  let ran: string[] = [];
  try {
    ran = readFileSync(log, 'utf8').split('\n').filter(Boolean).sort();
    rmSync(log);
  } catch {
    // nothing ran
  }
  return { report: JSON.parse(result.stdout) as RunReport, ran };
}

const statuses = (report: RunReport) => Object.fromEntries(Object.entries(report.tasks).map(([id, r]) => [id, r.status]));

describe('up-to-date checks (sources / generates)', () => {
  it('weft run build link runs only link and its needs; a second run runs nothing and restores outputs', async () => {
    const cwd = project();
    expect((await run(cwd, 'link')).ran).toEqual(['compile_a', 'compile_b', 'link']);
    const second = await run(cwd);
    // link and its needs are up to date; announce and docs never ran, so they run now.
    expect(second.ran).toEqual(['announce', 'docs']);
    expect(second.report.tasks.link).toMatchObject({ status: 'up-to-date', attempts: 0 });
    // announce templated link's output, restored from its record as if it ran.
    expect(readFileSync(path.join(cwd, 'out/announce.txt'), 'utf8').trim()).toBe('linked');
    const third = await run(cwd);
    expect(third.ran).toEqual([]);
    expect(Object.values(statuses(third.report))).toEqual(['up-to-date', 'up-to-date', 'up-to-date', 'up-to-date', 'up-to-date']);
    expect(third.report.status).toBe('success');
  });

  it('a changed source re-runs exactly what is downstream of it; a touch that changes no content re-runs nothing', async () => {
    const cwd = project();
    await run(cwd);
    utimesSync(path.join(cwd, 'src/a.c'), new Date(), new Date(Date.now() + 5000));
    expect((await run(cwd)).ran).toEqual([]);
    writeFileSync(path.join(cwd, 'src/a.c'), 'int a = 2;\n');
    // Everything downstream of src/a.c, through needs' fingerprints; compile_b is not.
    expect((await run(cwd)).ran).toEqual(['announce', 'compile_a', 'docs', 'link']);
  });

  it('a deleted or edited generated file re-runs the task that generates it', async () => {
    const cwd = project();
    await run(cwd);
    rmSync(path.join(cwd, 'out/b.o'));
    // b.o comes back with the same content: link's sources are unchanged, so it stays up to date.
    expect((await run(cwd)).ran).toEqual(['compile_b']);
    writeFileSync(path.join(cwd, 'out/app'), 'tampered');
    expect((await run(cwd)).ran).toEqual(['link']);
  });

  it('the process environment is not part of the fingerprint; the pipeline\'s env is', async () => {
    const cwd = makeProject({
      'pipelines/build.yaml': 'env: { MODE: fast }\ntasks:\n  t:\n    sources: [in.txt]\n    run: echo t >> ran.log; echo $MODE\n',
      'in.txt': 'x',
    });
    const go = (env: Record<string, string>) => runCli(['run', 'build', '--json'], { cwd, env: { PATH: process.env.PATH, ...env } });
    expect((await go({ OLDPWD: '/a' })).code).toBe(0);
    const again = JSON.parse((await go({ OLDPWD: '/b', SHLVL: '3' })).stdout) as RunReport;
    expect(again.tasks.t!.status).toBe('up-to-date');
    const file = path.join(cwd, 'pipelines/build.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('MODE: fast', 'MODE: slow'));
    expect((JSON.parse((await go({})).stdout) as RunReport).tasks.t!.status).toBe('success');
  });

  it('a changed command re-runs its task', async () => {
    const cwd = project();
    await run(cwd);
    const file = path.join(cwd, 'pipelines/build.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('ls src > out/docs.txt', 'ls -1 src > out/docs.txt'));
    expect((await run(cwd)).ran).toEqual(['docs']);
  });

  it('--force runs every task, --force TASK that task', async () => {
    const cwd = project();
    await run(cwd);
    expect((await run(cwd, '--force', 'docs')).ran).toEqual(['docs']);
    expect((await run(cwd, '--force')).ran).toEqual(['announce', 'compile_a', 'compile_b', 'docs', 'link']);
    const bad = await runCli(['run', 'build', '--force', 'dcos'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "docs"?');
  });

  it('a failed attempt records nothing: the next run runs the task again', async () => {
    const cwd = makeProject({
      'pipelines/build.yaml': 'tasks:\n  t:\n    sources: [in.txt]\n    run: echo t >> ran.log; test -f ok\n',
      'in.txt': 'x',
    });
    expect((await runCli(['run', 'build'], { cwd })).code).toBe(1);
    writeFileSync(path.join(cwd, 'ok'), '');
    expect((await run(cwd)).report.tasks.t!.status).toBe('success');
    expect((await run(cwd)).report.tasks.t!.status).toBe('up-to-date');
  });

  it('keeps no secret in the store: outputs and journal are masked', async () => {
    const cwd = makeProject({
      'pipelines/build.yaml': 'tasks:\n  t:\n    sources: [in.txt]\n    run: echo token={{secrets.TOKEN}}\n',
      'in.txt': 'x',
    });
    const env = { PATH: process.env.PATH, TOKEN: 'hunter2-very-secret' };
    expect((await runCli(['run', 'build'], { cwd, env })).code).toBe(0);
    const again = await runCli(['run', 'build', '--json'], { cwd, env });
    const t = (JSON.parse(again.stdout) as RunReport).tasks.t!;
    expect(t.status).toBe('up-to-date');
    expect(t.status === 'up-to-date' && (t.output as { stdout: string }).stdout).toBe('token=***\n');
    for (const name of readdirSync(path.join(cwd, '.weft'))) {
      if (name === 'runs') continue;
      expect(readFileSync(path.join(cwd, '.weft', name)).includes('hunter2')).toBe(false);
    }
  });
});
