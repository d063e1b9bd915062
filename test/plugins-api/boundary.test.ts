// The plugin boundary: built-in plugins import weft only through its public plugin entry
// (engine/plugin.ts, published as `weft/plugin`), exactly as a third-party plugin must.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const entry = path.join(root, 'engine', 'plugin.ts');

/** Every relative import specifier of a file: static, type-only, re-exports and dynamic. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

describe('the plugin boundary', () => {
  const files = readdirSync(path.join(root, 'plugins'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(root, 'plugins', f));

  it('built-in plugins reach the engine only through engine/plugin.ts', () => {
    const crossings: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        if (target.startsWith(path.join(root, 'engine') + path.sep) && target !== entry) {
          crossings.push(`${path.relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(files.length).toBeGreaterThan(10);
    expect(crossings).toEqual([]);
  });

  it('the package publishes the entry as weft/plugin, and it resolves by that name', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./plugin']).toEqual({ types: './dist/engine/plugin.d.ts', import: './dist/engine/plugin.js' });
    const api = await import('weft/plugin');
    expect(typeof api.WeftError).toBe('function');
    expect(typeof api.writeFileAtomic).toBe('function');
    const { createTemplateEngine, renderString } = await api.loadTemplating();
    expect(renderString(createTemplateEngine(), 'hi {{name}}', { name: 'weft' })).toBe('hi weft');
  });

  it('importing the entry does not load Handlebars; rendering a block through loadTemplating does', () => {
    const probe = (load: string) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `
        import { createRequire } from 'node:module';
        const api = await import('weft/plugin');
        ${load}
        const cache = createRequire(import.meta.url).cache;
        console.log(Object.keys(cache).some((k) => k.includes('handlebars')));`], { cwd: root, encoding: 'utf8' }).trim();
    expect(probe('')).toBe('false');
    // Handlebars itself loads on the first template that needs it (plain paths do not).
    expect(probe("const t = await api.loadTemplating(); t.renderString(t.createTemplateEngine(), '{{#if x}}y{{/if}}', { x: 1 });")).toBe('true');
  });
});
