// template through the real pool: scope and data, files, partials, atomic writes, the root fence.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutorPool } from '../../engine/pool/local.js';
import { builtinEntry, callContext, makeTempDir } from './helpers.js';

const pool = createExecutorPool({ workers: 1 });
afterAll(() => pool.destroy());

const scope = { inputs: { project: 'weft' }, tasks: { scan: { output: { stdout: 'a.ts\n' }, status: 'success' } } };
const render = async (root: string, w: Record<string, unknown>, options: Record<string, unknown> = { scope }) =>
  pool.run(await builtinEntry('template'), w, callContext({ root, options }));

describe('template executor', () => {
  it('renders a template file with the task scope and data, creating parent folders', async () => {
    const root = makeTempDir();
    mkdirSync(path.join(root, 'templates'));
    writeFileSync(path.join(root, 'templates/report.md.hbs'), '# {{inputs.project}}\n{{tasks.scan.output.stdout}}{{#each data.items}}- {{this}}\n{{/each}}');
    const out = await render(root, { template: 'templates/report.md.hbs', to: 'out/deep/report.md', data: { items: ['x', 'y'] } });
    const text = '# weft\na.ts\n- x\n- y\n';
    expect(out).toEqual({ path: 'out/deep/report.md', bytes: Buffer.byteLength(text) });
    expect(readFileSync(path.join(root, 'out/deep/report.md'), 'utf8')).toBe(text);
  });

  it('uses partials passed in ctx.options.partials', async () => {
    const root = makeTempDir();
    await render(root, { source: '{{> header}}body', to: 'p.txt' }, { scope, partials: { header: '[{{inputs.project}}] ' } });
    expect(readFileSync(path.join(root, 'p.txt'), 'utf8')).toBe('[weft] body');
  });

  it('replaces a file whole and leaves no temp file behind', async () => {
    const root = makeTempDir();
    writeFileSync(path.join(root, 'a.txt'), 'old');
    await render(root, { source: 'new {{inputs.project}}', to: 'a.txt' });
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('new weft');
    expect(readdirSync(root)).toEqual(['a.txt']);
  });

  it('leaves the old file untouched when rendering fails', async () => {
    const root = makeTempDir();
    writeFileSync(path.join(root, 'a.txt'), 'old');
    await expect(render(root, { source: '{{inputs.missing.deeper}}', to: 'a.txt' })).rejects.toMatchObject({ code: 'TEMPLATE_ERROR' });
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('old');
    expect(readdirSync(root)).toEqual(['a.txt']);
  });

  it('cleans its temp file when the final rename fails', async () => {
    const root = makeTempDir();
    mkdirSync(path.join(root, 'taken'));
    writeFileSync(path.join(root, 'taken/keep.txt'), 'x');
    await expect(render(root, { source: 'x', to: 'taken' })).rejects.toMatchObject({ code: 'TASK_FAILED' });
    expect(readdirSync(root)).toEqual(['taken']);
  });

  it('refuses to write outside the root: ../, absolute paths, and folders that link outside', async () => {
    const outside = makeTempDir();
    const root = makeTempDir();
    symlinkSync(outside, path.join(root, 'link'));
    for (const to of ['../escape.txt', 'a/../../escape.txt', path.join(outside, 'abs.txt'), 'link/through.txt', '.']) {
      await expect(render(root, { source: 'x', to }), to).rejects.toMatchObject({ code: 'TASK_FAILED', retryable: false });
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.join(path.dirname(root), 'escape.txt'))).toBe(false);
  });
});
