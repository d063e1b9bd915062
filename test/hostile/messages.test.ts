// Hostile probes on messages: a failure must say what happened, where, and hide nothing else;
// never "undefined", "fetch failed" or a silent skip.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../engine/types.js';
import { startServer } from '../plugins/http-server.js';
import { makeProject, runCli, runYaml, spawnBin, stackLines } from './support.js';

type Failed = { status: string; error: { code: string; message: string } };

describe('error messages name their cause (item 24)', () => {
  it('fetch failed says why (a port fetch refuses)', async () => {
    const { report } = await runYaml('tasks:\n  get: { uses: http, with: { url: "http://127.0.0.1:6000/" } }\n');
    const get = report.tasks.get as Failed;
    expect(get.error.code).toBe('NETWORK_ERROR');
    expect(get.error.message).toMatch(/bad port/);
  });

  it('.inf, 1e400 and .nan are errors at FILE:LINE:COL, and the other problems are still reported', async () => {
    const cwd = makeProject({
      'inf.yaml': [
        'tasks:',
        '  a: { run: echo a, timeout: .inf }',
        '  b: { run: echo b, timeout: 1e400, retry: { attempts: 2, factor: .nan } }',
        '  c: { needs: [ghost], run: echo c }',
        'budget: { costUsd: .inf }',
        '',
      ].join('\n'),
    });
    const result = await spawnBin(['validate', 'inf.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^inf\.yaml:2:\d+: tasks\.a\.timeout: Infinity is not a finite number$/),
      expect.stringMatching(/^inf\.yaml:3:\d+: tasks\.b\.timeout: Infinity is not a finite number$/),
      expect.stringMatching(/^inf\.yaml:3:\d+: tasks\.b\.retry\.factor: NaN is not a finite number$/),
      expect.stringMatching(/^inf\.yaml:4:\d+: .*no task "ghost"/),
      expect.stringMatching(/^inf\.yaml:5:\d+: budget\.costUsd: Infinity is not a finite number$/),
    ]);
  });

  it('--var n=1e999 is refused: Infinity is no number an input can hold', async () => {
    const cwd = makeProject({ 'pipelines/n.yaml': 'inputs:\n  n: { type: number, default: 1 }\ntasks:\n  a: { run: "echo {{inputs.n}}" }\n' });
    const result = await spawnBin(['run', 'n', '--var', 'n=1e999'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/input "n" must be a finite number/);
  });

  it('an llm API that answers 200 with text/plain is a clear error, not "reading input_tokens"', async () => {
    const server = await startServer({ '/v1/messages': (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Service OK') });
    try {
      const { report } = await runYaml('models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }\ntasks:\n  ask: { uses: llm, with: { prompt: hi }, cache: false }\n', {
        env: { ...process.env, ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url },
      });
      const ask = report.tasks.ask as Failed;
      expect(ask.status).toBe('failed');
      expect(ask.error.code).toBe('OUTPUT_INVALID');
      expect(ask.error.message).toMatch(/answered 200 with text\/plain, not a Messages API answer/);
    } finally {
      await server.close();
    }
  });

  it('a plugin that throws a non-Error while loading says what it threw', async () => {
    const cwd = makeProject({
      'weft.config.yaml': 'plugins: [./plugin.js]\n',
      'plugin.js': "throw 'no config file';\n",
      'pipelines/one.yaml': 'tasks:\n  a: { run: echo a }\n',
    });
    const result = await spawnBin(['run', 'one'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot load plugin \.\/plugin\.js: it threw "no config file" \(not an Error\)/);
    expect(result.stderr).not.toMatch(/undefined/);
  });

  it('a secret shorter than 3 characters is named in a warning: it is not masked', async () => {
    const events: RunEvent[] = [];
    await runYaml('tasks:\n  a: { run: "echo {{secrets.PIN}}" }\n', { env: { PATH: process.env.PATH ?? '', PIN: '42' }, onEvent: (e) => events.push(e) });
    expect(events).toContainEqual(expect.objectContaining({ type: 'warning', message: 'secret PIN is shorter than 3 characters: it is not masked' }));
  });
});

describe('escape sequences in task output (item 24)', () => {
  it('are neutralized in plain output: no OSC title, no cursor moves, no colors, no bare CR', async () => {
    const cwd = makeProject({
      'pipelines/esc.yaml': "tasks:\n  a: { run: \"printf '\\\\033]0;owned\\\\007before \\\\033[2K\\\\033[1A\\\\033[31mred\\\\033[0m\\\\r✓ forged\\\\n'\" }\n",
    });
    const result = await spawnBin(['run', 'esc'], { cwd });
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.startsWith('[a]'));
    expect(line).toBe('[a] before red\ufffd✓ forged');
    expect(result.stdout).not.toMatch(/\x1b/);
  });
});

describe('weft validate and the files it cannot treat as pipelines (item 23)', () => {
  it('names each one instead of skipping it silently', async () => {
    const ok = 'tasks:\n  a: { run: echo a }\n';
    const cwd = makeProject({ 'pipelines/ok.yaml': ok, 'pipelines/Deploy.yaml': ok, 'pipelines/my pipeline.yaml': ok, 'pipelines/ok.yml': ok, 'pipelines/notes.md': 'not yaml' });
    const result = await spawnBin(['validate'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^pipelines\/Deploy\.yaml: not a pipeline: "Deploy" is not a pipeline name .*rename it to deploy\.yaml/),
      expect.stringMatching(/^pipelines\/my pipeline\.yaml: not a pipeline: "my pipeline" is not a pipeline name .*my-pipeline\.yaml/),
      expect.stringMatching(/^pipelines\/ok\.yml: not a pipeline: ok\.yaml already has the name "ok"/),
    ]);
  });
});

describe('concurrent runs while the history is pruned (item 24)', () => {
  it('a kept run that vanishes between listing and pruning is no warning', async () => {
    const cwd = makeProject({ 'pipelines/one.yaml': 'tasks:\n  a: { run: echo a }\n' });
    const runs = path.join(cwd, '.weft/runs');
    mkdirSync(runs, { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(path.join(runs, `2020-01-01T00-00-00-${String(i).padStart(6, '0')}.json`), '{}');
    // Listed, then gone when stat'ed: what another run's pruning leaves behind.
    symlinkSync(path.join(runs, 'deleted-by-another-run'), path.join(runs, '2020-01-01T00-00-00-zzzzzz.json'));
    const result = await runCli(['run', 'one'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/ENOENT|could not save/);
  });
});
