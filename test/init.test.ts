// `weft init` as a new user meets it: the real bin in an empty folder, then `weft run`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initProject, listStarters } from '../engine/init.js';
import { binPath } from './cli/support.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function emptyFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-init-'));
  made.push(dir);
  return dir;
}

// The bin imports dist/: `npx tsc -p tsconfig.json` must have run (npm test's pretest does).
function weft(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [binPath, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('weft init', () => {
  it('ships the three starters, each with a pipeline named after it', async () => {
    const starters = await listStarters();
    expect(starters.map((s) => s.name)).toEqual(['audit', 'llm-fanout', 'parallel-shell']);
    for (const s of starters) {
      expect(s.files).toContain('weft.config.yaml');
      expect(s.files).toContain(path.join('pipelines', `${s.name}.yaml`));
      expect(s.description).not.toBe('');
    }
    expect(starters.find((s) => s.name === 'audit')!.files).toContain(path.join('templates', 'audit.yaml'));
  });

  it('in an empty folder, then weft run of the default starter works', () => {
    const dir = emptyFolder();
    const init = weft(dir, 'init');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('wrote weft.config.yaml');
    expect(init.stdout).toContain('weft run parallel-shell');

    const run = weft(dir, 'run', 'parallel-shell', '--json', '--var', 'greeting=hi');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { status: string; outputs: { report: string } };
    expect(report.status).toBe('success');
    expect(report.outputs.report).toBe('out/parallel-shell.md');
    const written = readFileSync(path.join(dir, 'out/parallel-shell.md'), 'utf8');
    expect(written).toMatch(/^# hi from weft/);
    expect(written).toContain('weft.config.yaml');
  });

  it('the audit starter runs its pipeline template; plan shows its namespaced tasks', () => {
    const dir = emptyFolder();
    expect(weft(dir, 'init', '--template', 'audit').code).toBe(0);
    const plan = weft(dir, 'plan', 'audit', '--json');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).batches).toEqual([
      ['project.accessibility', 'project.consistency', 'project.quality', 'project.security'],
      ['project.content', 'project.performance'],
      ['project.navigation'],
      ['print'],
    ]);
    const run = weft(dir, 'run', 'audit', '--json');
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { status: string; outputs: { summary: string } };
    // trim drops the newline echo ends with: the summary is one clean line.
    expect(report.outputs.summary).toMatch(/^security 0, quality \d+, files 3, folders 3$/);
  });

  it('the llm starter is valid without a key (running it needs one)', () => {
    const dir = emptyFolder();
    expect(weft(dir, 'init', '--template', 'llm-fanout').code).toBe(0);
    const check = weft(dir, 'validate', 'llm-fanout');
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('never overwrites a file without --force: exit 2 naming it, nothing written', () => {
    const dir = emptyFolder();
    writeFileSync(path.join(dir, 'weft.config.yaml'), 'pipelinesDir: mine\n');
    const refused = weft(dir, 'init');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('weft.config.yaml already exists');
    expect(readFileSync(path.join(dir, 'weft.config.yaml'), 'utf8')).toBe('pipelinesDir: mine\n');
    expect(existsSync(path.join(dir, 'pipelines'))).toBe(false);

    const forced = weft(dir, 'init', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote weft.config.yaml');
    expect(readFileSync(path.join(dir, 'weft.config.yaml'), 'utf8')).toContain('pipelinesDir: pipelines');
  });

  it('an unknown starter is exit 2 listing the starters', () => {
    const { code, stderr } = weft(emptyFolder(), 'init', '--template', 'nope');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown starter "nope" (starters: audit, llm-fanout, parallel-shell)');
  });

  it('initProject reports what it wrote, in the folder it is given', async () => {
    const dir = path.join(emptyFolder(), 'new', 'project');
    const result = await initProject({ cwd: dir, template: 'audit' });
    expect(result).toEqual({
      starter: 'audit',
      written: ['pipelines/audit.yaml', 'templates/audit.yaml', 'weft.config.yaml'],
      overwritten: [],
    });
  });
});
