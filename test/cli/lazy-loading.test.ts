// What a command loads, seen through Node's module hooks in the real bin and its worker
// threads: a run loads an executor's heavy modules only when one of its tasks uses it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, repoRoot, spawnBin } from './support.js';

const logDir = mkdtempSync(path.join(tmpdir(), 'weft-modules-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));
let runs = 0;

/** Run the bin with the module log on; the URLs of every module it and its threads resolved. */
async function modulesLoaded(argv: string[], cwd: string): Promise<{ code: number; urls: string[] }> {
  const file = path.join(logDir, `run-${++runs}.txt`);
  const hooks = path.join(repoRoot, 'test/support/module-log/register.mjs');
  const result = await spawnBin(argv, { cwd, env: { NODE_OPTIONS: `--import=${hooks}`, WEFT_MODULE_LOG: file } });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no module resolved through the hooks: an empty list, which the assertions below catch
  }
  return { code: result.code, urls: text.split('\n').filter(Boolean) };
}

const sdk = (url: string) => url.includes('/@anthropic-ai/sdk/');
const handlebars = (url: string) => url.includes('/node_modules/handlebars/');

describe('loading only what a run uses', () => {
  it('a shell-only run never loads the Anthropic SDK nor Handlebars, and starts no worker thread', async () => {
    const cwd = makeProject({ 'pipelines/sh.yaml': 'tasks:\n  a: { run: "echo {{inputs.word}}" }\ninputs:\n  word: { type: string, default: hi }\n' });
    const { code, urls } = await modulesLoaded(['run', 'sh'], cwd);
    expect(code).toBe(0);
    // Shell tasks run on the main thread: neither Piscina nor a thread's entry is ever loaded.
    expect(urls.filter((u) => u.endsWith('/engine/pool/worker.js') || u.includes('/node_modules/piscina/'))).toEqual([]);
    expect(urls.filter(sdk)).toEqual([]);
    expect(urls.filter(handlebars)).toEqual([]);
    // The run came from the bin's bundle, which the bin loads through bundle/code-cache.cjs.
    expect(urls.some((u) => u.endsWith('/bundle/code-cache.cjs'))).toBe(true);
    // Globs load with the first `sources`/`generates` or context-file pattern, not before.
    expect(urls.filter((u) => u.includes('/node_modules/tinyglobby/'))).toEqual([]);
  });

  it('a run with a template task loads Handlebars (the probe sees it when it is there)', async () => {
    const cwd = makeProject({
      'pipelines/tpl.yaml': 'tasks:\n  t: { uses: template, with: { source: "{{#if data.x}}yes{{/if}}", to: out/t.txt, data: { x: 1 } } }\n',
    });
    const { code, urls } = await modulesLoaded(['run', 'tpl'], cwd);
    expect(code).toBe(0);
    // The log covers the worker threads (template tasks run there): their entry was resolved.
    expect(urls.some((u) => u.endsWith('/engine/pool/worker.js'))).toBe(true);
    expect(urls.some(handlebars)).toBe(true);
    expect(urls.filter(sdk)).toEqual([]);
  });

  it('--version and --help load no pipeline machinery (no yaml, ajv, piscina, handlebars)', async () => {
    const cwd = makeProject({});
    for (const argv of [['--version'], ['--help']]) {
      const { code, urls } = await modulesLoaded(argv, cwd);
      expect(code).toBe(0);
      expect(urls.filter((u) => /\/node_modules\/(yaml|ajv|piscina|handlebars)\//.test(u))).toEqual([]);
      // Nor the bin's bundle of the whole CLI, nor the one-file yaml: both load through the
      // code-cache loader (read as files, so the hooks see only that module).
      expect(urls.filter((u) => u.endsWith('/engine/code-cache.js') || u.endsWith('/bundle/code-cache.cjs'))).toEqual([]);
    }
  });
});
