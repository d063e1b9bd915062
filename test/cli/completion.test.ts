import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, makeProject, runCli, spawnBin } from './support.js';

const files = {
  'pipelines/site.yaml': 'inputs:\n  name: { type: string, default: x }\n  loud: { type: boolean, default: false }\ntasks:\n  build: { run: echo b }\n  bundle: { needs: [build], run: echo c }\n',
  'pipelines/ship.yaml': 'tasks:\n  a: { run: echo a }\n',
};

const complete = async (cwd: string, ...words: string[]) => (await runCli(['__complete', ...words], { cwd })).stdout.split('\n').filter(Boolean);

describe('weft __complete (what the completion scripts ask)', () => {
  const cwd = makeProject(files);

  it('commands, then flags of the command, then their values', async () => {
    expect(await complete(cwd, 'r')).toEqual(['run', 'runs']);
    expect(await complete(cwd, 'run', 'site', '--c')).toEqual(['--concurrency']);
    expect(await complete(cwd, 'run', 'site', '--output', '')).toEqual(['grouped', 'live', 'prefixed', 'quiet']);
    expect(await complete(cwd, 'graph', 'site', '--format', '')).toEqual(['dot', 'mermaid']);
    expect(await complete(cwd, 'init', '--template', 'a')).toEqual(['audit']);
    expect(await complete(cwd, 'completion', '')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('pipeline names, task names after the pipeline, input names for --var', async () => {
    expect(await complete(cwd, 'run', 's')).toEqual(['ship', 'site']);
    expect(await complete(cwd, 'plan', '')).toEqual(['ship', 'site']);
    expect(await complete(cwd, 'run', 'site', 'bu')).toEqual(['build', 'bundle']);
    expect(await complete(cwd, 'run', 'site', '--var', '')).toEqual(['loud=', 'name=']);
    expect(await complete(cwd, 'run', '--output', 'quiet', 'si')).toEqual(['site']);
  });

  it('kept run ids for weft runs show', async () => {
    const dir = makeProject(files);
    const run = await runCli(['run', 'ship'], { cwd: dir });
    const runId = /\(run (\S+)\)/.exec(run.stdout)![1]!;
    expect(await complete(dir, 'runs', '')).toEqual(['report', 'ship', 'show']);
    expect(await complete(dir, 'runs', 'show', '')).toEqual([runId]);
  });

  it('a half-typed line is never an error', async () => {
    expect(await runCli(['__complete', 'nosuch', '--x', ''], { cwd })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await complete(cwd, 'run', 'missing', '')).toEqual([]);
  });
});

describe('weft completion', () => {
  it('prints a script per shell; another shell is exit 2', async () => {
    const cwd = makeProject(files);
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await spawnBin(['completion', shell], { cwd });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('weft __complete');
    }
    expect((await runCli(['completion', 'tcsh'], { cwd })).code).toBe(2);
  });

  it('the bash script completes through the real bin', { timeout: 120_000 }, async () => {
    const cwd = makeProject(files);
    // `weft` on PATH, as after npm install -g.
    const bin = path.join(cwd, '.bin');
    mkdirSync(bin);
    symlinkSync(binPath, path.join(bin, 'weft'));
    const script = execFileSync(process.execPath, [binPath, 'completion', 'bash'], { cwd, encoding: 'utf8' });
    const ask = (line: string) => {
      const words = line.split(' ');
      const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _weft_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', program], { cwd, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` } }).split('\n').filter(Boolean);
    };
    expect(ask('weft ru')).toEqual(['run', 'runs']);
    expect(ask('weft run si')).toEqual(['site']);
    expect(ask('weft run site b')).toEqual(['build', 'bundle']);
    expect(ask('weft run site --out')).toEqual(['--output']);
  });
});
