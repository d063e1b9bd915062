import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { listPipelines, loadPipeline } from '../engine/load/load.js';
import { planPipeline } from '../engine/plan/plan.js';
import { loadRegistry, type Registry } from '../engine/load/registry.js';

const projects = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'projects');
const basic = path.join(projects, 'basic');

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry([], basic);
});

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('loadPipeline', () => {
  test('loads a pipeline by name from the config pipelinesDir, with everything normalized', async () => {
    const { pipeline, problems } = await loadPipeline('hello', { cwd: basic, registry });
    expect(problems).toEqual([]);
    const p = pipeline!;
    expect(p.name).toBe('hello');
    expect(p.file).toBe(path.join(basic, 'pipelines', 'hello.yaml'));
    expect(p.root).toBe(basic);
    expect(p.concurrency).toBe(4);
    expect(p.failFast).toBe(true);
    expect(Object.keys(p.tasks)).toEqual(['greet', 'shout']);
    expect(p.tasks.greet).toMatchObject({
      uses: 'shell',
      with: { command: 'echo hello {{inputs.who}}' },
      needs: [],
      when: 'success',
      timeoutMs: 30_000,
      retry: { attempts: 2, delayMs: 250, backoff: 'exponential', factor: 2, maxDelayMs: 30_000, jitter: true },
      pos: { file: p.file, line: 8, col: 3 },
    });
    // Task keys merge over defaults key by key.
    expect(p.tasks.shout!.retry).toMatchObject({ attempts: 2, delayMs: 250, backoff: 'fixed' });
    expect(p.outputs).toEqual({ loud: '{{tasks.shout.output.stdout}}' });
  });

  test('finds the config from a folder below the root, and accepts .yml', async () => {
    const { pipeline, problems } = await loadPipeline('review', { cwd: path.join(basic, 'pipelines'), registry });
    expect(problems).toEqual([]);
    expect(pipeline!.root).toBe(basic);
    // Allocation: task model > allocate (tag:critical) > models.default from the config.
    expect(planPipeline(pipeline!)).toEqual({
      batches: [['scan'], ['security', 'summary'], ['quick']],
      criticalPath: ['scan', 'security', 'quick'],
      models: { security: 'claude-opus-5-5', summary: 'claude-sonnet-5-5', quick: 'claude-haiku-5-5' },
    });
    expect(pipeline!.pools.api).toEqual({ concurrency: 2, rate: { limit: 10, per: 'second' } });
  });

  test('loads a path to a file, relative to cwd', async () => {
    const { pipeline } = await loadPipeline('pipelines/hello.yaml', { cwd: basic, registry });
    expect(pipeline?.name).toBe('hello');
  });

  test('an unknown name is PIPELINE_NOT_FOUND with a did-you-mean over the folder', async () => {
    const { pipeline, problems } = await loadPipeline('helo', { cwd: basic, registry });
    expect(pipeline).toBeUndefined();
    expect(problems.map((p) => p.code)).toEqual(['PIPELINE_NOT_FOUND']);
    expect(problems[0]!.message).toContain('did you mean "hello"');
  });

  test('a name that leaves the folder, or a path that does not exist, is a USAGE problem', async () => {
    for (const bad of ['../hello', '/nowhere/at/all.yaml', 'Hello World']) {
      const { problems } = await loadPipeline(bad, { cwd: basic, registry });
      expect(problems.map((p) => p.code)).toEqual(['USAGE']);
    }
    const { problems } = await loadPipeline('weft.config.yaml', { cwd: basic, registry });
    expect(problems.map((p) => p.code)).not.toContain('USAGE');
    const notYaml = await loadPipeline('../../validate.test.ts', { cwd: basic, registry });
    expect(notYaml.problems.map((p) => p.code)).toEqual(['USAGE']);
  });

  test('options.dir overrides the config folder', async () => {
    const dir = tempProject({ 'elsewhere/x.yaml': 'tasks:\n  a: { run: echo x }\n' });
    const { pipeline } = await loadPipeline('x', { cwd: dir, dir: 'elsewhere', registry });
    expect(pipeline?.name).toBe('x');
    expect(pipeline?.concurrency).toBeGreaterThanOrEqual(2);
  });

  test('a bad config stops the load with its problems', async () => {
    const { pipeline, problems } = await loadPipeline('hello', { cwd: path.join(projects, 'bad-config'), registry });
    expect(pipeline).toBeUndefined();
    expect(problems.map((p) => p.code)).toContain('UNKNOWN_KEY');
  });

  test('an unreadable or broken file yields problems, never a throw', async () => {
    const dir = tempProject({ 'pipelines/broken.yaml': 'tasks: [\n', 'pipelines/folder.yaml/keep': '' });
    expect((await loadPipeline('broken', { cwd: dir, registry })).problems.map((p) => p.code)).toEqual(['YAML_SYNTAX']);
    const folder = await loadPipeline('folder', { cwd: dir, registry });
    expect(folder.problems.map((p) => p.code)).toEqual(['PIPELINE_NOT_FOUND']);
  });

  test('without a registry it loads the project plugins itself', async () => {
    const dir = tempProject({
      'weft.config.yaml': 'plugins: [./echo-plugin.mjs]\n',
      'echo-plugin.mjs': "export const executors = { echo: { schema: { type: 'object', required: ['text'] }, async run(w) { return w.text; } } };\n",
      'pipelines/p.yaml': 'tasks:\n  a: { uses: echo, with: { text: hi } }\n  b: { uses: echo }\n',
    });
    const { problems } = await loadPipeline('p', { cwd: dir });
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['PIPELINE_INVALID 3:3']);
    const missing = tempProject({ 'weft.config.yaml': 'plugins: [./nope.mjs]\n', 'pipelines/p.yaml': 'tasks:\n  a: { run: x }\n' });
    expect((await loadPipeline('p', { cwd: missing })).problems.map((p) => p.code)).toEqual(['PLUGIN_INVALID']);
  });

  test('normalize: run with extra with keys, forEach forms, pools, budget and failFast', async () => {
    const dir = tempProject({
      'pipelines/p.yaml': [
        'failFast: false',
        'concurrency: 3',
        'budget: { tokens: 1000 }',
        'env: { LEVEL: 3 }',
        'pools:',
        '  ai: { concurrency: 1, breaker: { failures: 2 } }',
        'tasks:',
        '  a: { run: ls, with: { cwd: src }, forEach: "{{inputs.files}}", pool: ai, continueOnError: true }',
        '  b: { needs: [a, a], run: x, forEach: { items: [1, 2, 3], chunk: 2 }, retry: { delay: 2s, maxDelay: 1m } }',
        'inputs: { files: { type: array, default: [] } }',
      ].join('\n'),
    });
    const { pipeline, problems } = await loadPipeline('p', { cwd: dir, registry });
    expect(problems).toEqual([]);
    const p = pipeline!;
    expect(p).toMatchObject({ failFast: false, concurrency: 3, budget: { tokens: 1000, warnAt: 0.8 }, env: { LEVEL: '3' } });
    expect(p.pools.ai).toEqual({ concurrency: 1, breaker: { failures: 2, cooldownMs: 30_000 } });
    expect(p.tasks.a).toMatchObject({ with: { command: 'ls', cwd: 'src' }, forEach: { items: '{{inputs.files}}' }, pool: 'ai', continueOnError: true });
    expect(p.tasks.b).toMatchObject({ needs: ['a'], forEach: { items: [1, 2, 3], chunk: 2 }, retry: { delayMs: 2000, maxDelayMs: 60_000 } });
    expect(p.tasks.b!.model).toBeUndefined();
  });
});

describe('the spec example', () => {
  test('the pipeline in the format spec loads without a problem and plans as described', async () => {
    const { pipeline, problems } = await loadPipeline('content-review', { cwd: path.join(projects, 'spec') });
    expect(problems).toEqual([]);
    expect(planPipeline(pipeline!)).toEqual({
      batches: [['scan'], ['security'], ['fix'], ['report']],
      criticalPath: ['scan', 'security', 'fix', 'report'],
      models: { security: 'claude-opus-5-5' },
    });
    expect(pipeline!.tasks.fix).toMatchObject({
      forEach: { items: '{{tasks.security.output.json.findings}}' },
      concurrency: 4,
      locks: ['file:{{item.file}}'],
      retry: { attempts: 3, delayMs: 500, maxDelayMs: 10_000 },
      timeoutMs: 300_000,
    });
    expect(pipeline!.pools.ai).toEqual({ concurrency: 3, rate: { limit: 60, per: 'minute' }, adaptive: true, breaker: { failures: 5, cooldownMs: 60_000 } });
    expect(pipeline!.budget).toEqual({ tokens: 500000, costUsd: 5, warnAt: 0.75 });
  });
});

describe('listPipelines', () => {
  test('lists the folder by runnable name with descriptions', async () => {
    expect(await listPipelines({ cwd: basic })).toEqual([
      { name: 'hello', file: path.join(basic, 'pipelines', 'hello.yaml'), description: 'Say hello, then shout it' },
      { name: 'review', file: path.join(basic, 'pipelines', 'review.yml'), description: 'Review files with a model, fix what it flags' },
    ]);
  });

  test('a missing folder lists nothing; files that are not pipelines are skipped', async () => {
    expect(await listPipelines({ cwd: tempProject({}) })).toEqual([]);
    const dir = tempProject({ 'pipelines/Bad Name.yaml': 'x: 1\n', 'pipelines/notes.txt': '', 'pipelines/ok.yaml': 'tasks: {}\n' });
    expect((await listPipelines({ cwd: dir })).map((p) => p.name)).toEqual(['ok']);
  });
});
