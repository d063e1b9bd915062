import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderSchemas } from '../engine/load/validate/publish-schemas.js';
import { repoRoot } from './cli/support.js';
import { makeProject, runCli } from './cli/support.js';

// The schemas an editor loads, checked as an editor would: a plain ajv, no weft code.
const read = (name: string) => readFileSync(path.join(repoRoot, 'schemas', name), 'utf8');
const editorCheck = (name: string) => new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(read(name)));
const yamlFiles = (dir: string) => readdirSync(path.join(repoRoot, dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(repoRoot, dir, f));

describe('published schemas', () => {
  it('are what `npm run build` writes from the executors\' and the config\'s own schemas', async () => {
    const written = await renderSchemas(read('pipeline.schema.json'), repoRoot);
    expect(written['pipeline.schema.json'], 'stale: run npm run build and commit schemas/').toBe(read('pipeline.schema.json'));
    expect(written['config.schema.json'], 'stale: run npm run build and commit schemas/').toBe(read('config.schema.json'));
  });

  it('check `with` per executor: a typo in a shell task is caught, templates are welcome', () => {
    const check = editorCheck('pipeline.schema.json');
    const ok = (doc: unknown) => (check(doc), check.errors ?? []);
    expect(ok({ tasks: { a: { uses: 'shell', with: { command: 'echo', maxOutputBytes: '{{inputs.n}}' } } } })).toEqual([]);
    const typo = ok({ tasks: { a: { uses: 'shell', with: { comand: 'echo' } } } });
    expect(typo.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'comand')).toBe(true);
    expect(ok({ tasks: { a: { run: 'echo', with: { cdw: 'x' } } } }).some((e) => e.params.additionalProperty === 'cdw')).toBe(true);
    expect(ok({ tasks: { a: { run: 'echo', with: { cwd: 'x' } } } })).toEqual([]);
    expect(ok({ tasks: { a: { uses: 'http', with: { url: 'http://x', method: 'FETCH' } } } }).some((e) => e.keyword === 'enum')).toBe(true);
    expect(ok({ tasks: { a: { uses: 'llm', with: { prompt: 'hi', maxTokens: 'many' } } } }).length).toBeGreaterThan(0);
    expect(ok({ tasks: { a: { uses: 'llm', with: { prompt: 'hi', maxTokens: '{{inputs.n}}' } } } })).toEqual([]);
  });

  it('accept every example pipeline and starter, as weft does', () => {
    const check = editorCheck('pipeline.schema.json');
    const files = [...yamlFiles('pipelines'), ...readdirSync(path.join(repoRoot, 'starters')).flatMap((s) => yamlFiles(`starters/${s}/pipelines`))];
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(check(parse(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(check.errors)}`).toBe(true);
  });

  it('config.schema.json covers weft.config.yaml: the starters\' configs pass, a typo does not', () => {
    const check = editorCheck('config.schema.json');
    const configs = readdirSync(path.join(repoRoot, 'starters')).map((s) => path.join(repoRoot, 'starters', s, 'weft.config.yaml'));
    for (const file of configs) expect(check(parse(readFileSync(file, 'utf8')) ?? {}), `${file}: ${JSON.stringify(check.errors)}`).toBe(true);
    expect(check({ pipelineDir: 'x' })).toBe(false);
    expect(check({ pools: { ai: { rate: { limit: 1, per: 'fortnight' } } } })).toBe(false);
    expect(check({ concurrency: 4, pools: { ai: { concurrency: 2, rate: { limit: 60, per: 'minute' } } }, budget: { costUsd: 5 } })).toBe(true);
  });

  it('weft itself reports a `with` typo once, at its place', async () => {
    const cwd = makeProject({ 'pipelines/typo.yaml': 'tasks:\n  a:\n    uses: shell\n    with: { comand: echo }\n' });
    const result = await runCli(['validate', 'typo'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.match(/comand/g)).toHaveLength(1);
  });
});
