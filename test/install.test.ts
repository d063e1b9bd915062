import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli/support.js';

// Its own temp folders: removing three node_modules trees takes longer than the usual hook timeout.
const made: string[] = [];
const makeTempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}, 600_000);

// Installing weft into another project from a checkout, for real: npm, its cache, no build first.
// The dependencies come from the npm cache (--prefer-offline). Their own build scripts are skipped
// (WEFT_PREPARE_IGNORE_SCRIPTS, --ignore-scripts): compiling better-sqlite3 from source takes
// minutes, and a run of weft does not load it.

const npm = (args: string[], cwd: string, env: Record<string, string> = {}) => {
  const result = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, WEFT_PREPARE_IGNORE_SCRIPTS: '1', ...env },
  });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** The checkout as a fresh clone has it: tracked and new files, no node_modules, no dist. */
function copyCheckout(): string {
  const dir = path.join(makeTempDir('weft-checkout-'), 'weft');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = path.join(repoRoot, file);
    const to = path.join(dir, file);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(from, to);
    } catch {
      // Listed but deleted in the work tree.
    }
  }
  return dir;
}

function consumer(): string {
  const dir = makeTempDir('weft-consumer-');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  return dir;
}

/** weft as the project that installed it runs it: its bin, init a starter, run it. */
function checkWeft(project: string): void {
  const weft = path.join(project, 'node_modules', '.bin', 'weft');
  const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
  expect(execFileSync(weft, ['--version'], { cwd: project, encoding: 'utf8' }).trim()).toBe(version);
  execFileSync(weft, ['init'], { cwd: project, encoding: 'utf8' });
  const run = spawnSync(weft, ['run', 'parallel-shell'], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^✓ parallel-shell succeeded/m);
}

describe('installing from a checkout that was never built', () => {
  it('npm install /path/to/weft, then npm pack of it, each give a working weft', { timeout: 900_000 }, () => {
    const checkout = copyCheckout();
    expect(readdirSync(checkout)).not.toContain('dist');
    expect(readdirSync(checkout)).not.toContain('node_modules');

    const linked = consumer();
    npm(['install', checkout], linked);
    checkWeft(linked);

    rmSync(path.join(checkout, 'dist'), { recursive: true, force: true });
    const packed = makeTempDir('weft-pack-');
    npm(['pack', '--pack-destination', packed], checkout);
    const tarball = readdirSync(packed).find((f) => f.endsWith('.tgz'))!;
    const fromTarball = consumer();
    npm(['install', '--ignore-scripts', path.join(packed, tarball)], fromTarball);
    checkWeft(fromTarball);
  });
});
