// The llm executor's main-thread side: price table, `with` schema, weigh, preflight, file globs.
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/paths.js';
import { estimateCost, llm, loadModels, worstCaseCost } from '../../plugins/llm.js';
import { isSpendLimit } from '../../plugins/llm/errors.js';
import { findFiles } from '../../plugins/llm/glob.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeLlmContext, makeRoot } from '../support/llm-context.js';

let root: string;
beforeEach(async () => {
  root = await makeRoot();
});

describe('the model table', () => {
  it('ships the three model ids with illustrative prices per million tokens', async () => {
    const raw = JSON.parse(await readFile(path.join(packageRoot, 'models', 'models.json'), 'utf8'));
    expect(raw._note).toMatch(/illustrative/i);
    const table = loadModels();
    for (const id of ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5']) {
      expect(Object.keys(table.models[id]!)).toEqual(expect.arrayContaining(['input', 'output', 'cacheWrite', 'cacheRead']));
      expect(table.models[id]).toEqual(raw.models[id]);
    }
  });

  it('merges a user file over the defaults, by model id', async () => {
    const file = path.join(root, 'models.local.json');
    await writeFile(file, JSON.stringify({ models: { 'claude-haiku-5-5': { input: 0.5 }, 'my-model': { input: 2, output: 4, cacheWrite: 2.5, cacheRead: 0.2 } } }));
    const shipped = loadModels();
    const merged = loadModels(file);
    expect(merged.models['claude-haiku-5-5']).toEqual({ ...shipped.models['claude-haiku-5-5'], input: 0.5 });
    expect(merged.models['my-model']!.output).toBe(4);
    expect(merged.models['claude-opus-5-5']).toEqual(shipped.models['claude-opus-5-5']);
  });

  it('refuses a file with a missing or negative price', async () => {
    const file = path.join(root, 'bad.json');
    await writeFile(file, JSON.stringify({ models: { 'new-model': { input: 1 } } }));
    expect(() => loadModels(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    await writeFile(file, JSON.stringify({ models: { 'claude-haiku-5-5': { output: -1 } } }));
    expect(() => loadModels(file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('prices usage from the table; batch at the table discount; unknown models refused', () => {
    const table = loadModels();
    const price = table.models['claude-sonnet-5-5']!;
    const usage = { inputTokens: 2_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheWriteTokens: 0 };
    const expected = 2 * price.input + price.output + price.cacheRead;
    expect(estimateCost('claude-sonnet-5-5', usage, table)).toBeCloseTo(expected, 9);
    expect(estimateCost('claude-sonnet-5-5', usage, table, { batch: true })).toBeCloseTo(expected * table.batchDiscount, 9);
    expect(worstCaseCost('claude-sonnet-5-5', 1_000_000, 1_000_000, table)).toBeCloseTo(price.input + price.output, 9);
    expect(() => estimateCost('gpt-nope', usage, table)).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODEL' }));
  });

  it('a user models file reaches the executor through options.modelsFile', async () => {
    const fake = await startFakeAnthropic();
    try {
      await writeFile(path.join(root, 'prices.json'), JSON.stringify({ models: { 'claude-next': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } } }));
      const ctx = makeLlmContext(fake.url, root, { model: 'claude-next', options: { cache: false, modelsFile: 'prices.json' } });
      const out = await llm.run({ prompt: 'hi' }, ctx);
      const u = out.usage;
      expect(out.costUsd).toBeCloseTo((u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens) / 1e6, 12);
    } finally {
      await fake.close();
    }
  });
});

describe('the with schema', () => {
  const validate = new Ajv({ allErrors: true }).compile(llm.schema);

  it('accepts the documented keys', () => {
    const ok = {
      prompt: 'p',
      system: 's',
      shared: 'rubric',
      maxTokens: 10,
      output: 'json',
      schema: { type: 'object' },
      stopSequences: ['END'],
      context: [{ label: 'a', value: [1, 2] }, { label: 'b', files: ['src/**/*.ts'] }],
      contextMaxTokens: 1000,
      truncate: true,
    };
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects temperature, top_p and top_k, naming the reason in the schema', () => {
    for (const key of ['temperature', 'top_p', 'top_k']) {
      expect(validate({ prompt: 'p', [key]: 0.5 })).toBe(false);
      expect(validate.errors![0]!.instancePath).toBe(`/${key}`);
      const description = (llm.schema.properties as Record<string, { description: string }>)[key]!.description;
      expect(description).toMatch(/2026-10-21/);
    }
  });

  it('rejects a missing prompt, unknown keys, and a context entry with neither value nor files', () => {
    expect(validate({ system: 's' })).toBe(false);
    expect(validate({ prompt: 'p', modle: 'x' })).toBe(false);
    expect(validate({ prompt: 'p', context: [{ label: 'a' }] })).toBe(false);
    expect(validate({ prompt: 'p', output: 'yaml' })).toBe(false);
  });
});

describe('weigh', () => {
  it('is maxTokens plus a chars/4 estimate of the input', () => {
    const prompt = 'x'.repeat(400);
    expect(llm.weigh!({ prompt, maxTokens: 500 }, {})).toBe(600);
    expect(llm.weigh!({ prompt }, {})).toBe(1024 + 100);
    expect(llm.weigh!({ prompt, context: [{ label: 'f', files: 'src/*' }], contextMaxTokens: 300 }, {})).toBe(1024 + 100 + 300);
  });
});

describe('preflight', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  const model = 'claude-haiku-5-5';

  it('without a key, names every task whose answer is not cached', async () => {
    const problems = await llm.preflight!(
      [
        { id: 'one', with: { prompt: 'a' }, model },
        { id: 'two', with: { prompt: 'b' }, model },
      ],
      {},
      { root },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('MISSING_API_KEY');
    expect(problems[0]!.message).toContain('one, two');
  });

  it('needs no key when every rendered task is cached; templated ones count as not cached', async () => {
    await llm.run({ prompt: 'a' }, makeLlmContext(fake.url, root));
    const cached = [{ id: 'one', with: { prompt: 'a' }, model }];
    expect(await llm.preflight!(cached, {}, { root })).toEqual([]);
    const templated = [...cached, { id: 'later', with: { prompt: '{{tasks.one.output.text}}' }, model }];
    const problems = await llm.preflight!(templated, {}, { root });
    expect(problems.map((p) => p.code)).toEqual(['MISSING_API_KEY']);
    expect(problems[0]!.message).toContain('later');
    expect(problems[0]!.message).not.toContain('one,');
    // With cache: false nothing counts as cached.
    expect((await llm.preflight!(cached, {}, { root, cache: false })).map((p) => p.code)).toEqual(['MISSING_API_KEY']);
  });

  it('with a key there is nothing to report; a task without a priced model is reported', async () => {
    expect(await llm.preflight!([{ id: 'one', with: { prompt: 'a' }, model }], { ANTHROPIC_API_KEY: 'k' }, { root })).toEqual([]);
    const problems = await llm.preflight!([{ id: 'odd', with: { prompt: 'a' }, model: 'nope-1' }, { id: 'none', with: { prompt: 'a' } }], { ANTHROPIC_API_KEY: 'k' }, { root });
    expect(problems.map((p) => [p.id, p.code])).toEqual([
      ['odd', 'UNKNOWN_MODEL'],
      ['none', 'UNKNOWN_MODEL'],
    ]);
  });
});

describe('spend-limit detection', () => {
  it('reads the stable error_code first, then the type, then the message', () => {
    expect(isSpendLimit({ error: { type: 'rate_limit_error', message: 'x', details: { error_code: 'contract_spend_limit_reached' } } })).toBe(true);
    expect(isSpendLimit({ error: { type: 'billing_error', message: 'x' } })).toBe(true);
    expect(isSpendLimit({ error: { type: 'rate_limit_error', message: 'Your credit balance is too low' } })).toBe(true);
    expect(isSpendLimit({ error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } })).toBe(false);
  });
});

describe('context file globs', () => {
  async function touch(...files: string[]): Promise<void> {
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), '');
    }
  }

  it('matches ** across folders, * and ? within one, {a,b} as either, dot files too', async () => {
    await touch('src/a.ts', 'src/x/y/b.ts', 'src/.hidden.ts', 'src/a.tsx', 'lib/a.ts', 'src/a.ts.d/c', 'a.md', 'b.txt', 'd/a.md');
    expect(await findFiles(root, 'src/**/*.ts')).toEqual(['src/.hidden.ts', 'src/a.ts', 'src/x/y/b.ts']);
    expect(await findFiles(root, '*.{md,txt}')).toEqual(['a.md', 'b.txt']);
    expect(await findFiles(root, '?.md')).toEqual(['a.md']);
    expect(await findFiles(root, './d/a.md')).toEqual(['d/a.md']);
    // A folder's path names the folder, not what is in it; a missing folder matches nothing.
    expect(await findFiles(root, 'src')).toEqual([]);
    expect(await findFiles(root, 'nope/*.ts')).toEqual([]);
  });

  it('skips .git, node_modules and .weft unless the fixed leading folders name them', async () => {
    await touch('a.js', '.git/b.js', 'node_modules/pkg/c.js', 'src/node_modules/d.js', '.weft/e.js');
    expect(await findFiles(root, '**/*.js')).toEqual(['a.js']);
    expect(await findFiles(root, 'node_modules/pkg/*.js')).toEqual(['node_modules/pkg/c.js']);
  });

  it('is CONTEXT_TOO_LARGE past maxFiles', async () => {
    await touch('a.md', 'b.md', 'c.md');
    expect(await findFiles(root, '*.md', 3)).toHaveLength(3);
    await expect(findFiles(root, '*.md', 2)).rejects.toMatchObject({ code: 'CONTEXT_TOO_LARGE' });
  });

  it('finds files under root only, never through a symlink that leaves it', async () => {
    await mkdir(path.join(root, 'src', 'deep'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.ts'), '');
    await writeFile(path.join(root, 'src', 'deep', 'b.ts'), '');
    const outside = path.join(os.tmpdir(), `weft-outside-${process.pid}.ts`);
    await writeFile(outside, 'secret');
    await symlink(outside, path.join(root, 'src', 'escape.ts'));
    expect(await findFiles(root, 'src/**/*.ts')).toEqual(['src/a.ts', 'src/deep/b.ts']);
    // A link inside the root is a file like any other; a folder linked from outside is not walked.
    await symlink(path.join(root, 'src', 'a.ts'), path.join(root, 'src', 'inner.ts'));
    const away = await mkdtemp(path.join(os.tmpdir(), 'weft-away-'));
    await writeFile(path.join(away, 'c.ts'), 'secret');
    await symlink(away, path.join(root, 'src', 'away'));
    await symlink(away, path.join(root, 'linked'));
    expect(await findFiles(root, 'src/**/*.ts')).toEqual(['src/a.ts', 'src/deep/b.ts', 'src/inner.ts']);
    await expect(findFiles(root, 'linked/*.ts')).rejects.toMatchObject({ code: 'PIPELINE_INVALID' });
    await expect(findFiles(root, '/etc/*')).rejects.toMatchObject({ code: 'PIPELINE_INVALID' });
    await expect(findFiles(root, 'src/../../*')).rejects.toMatchObject({ code: 'PIPELINE_INVALID' });
  });
});
