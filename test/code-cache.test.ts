// The generated validators and the one-file yaml load with a V8 code cache the build writes
// beside them (engine/code-cache.ts): used when it fits, harmless when it does not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli/support.js';
import { requireWithCodeCache, vendoredFile, writeCodeCache } from '../engine/code-cache.js';
import { GENERATED_VALIDATORS } from '../engine/load/validate/precompiled.js';
import { nativeBinding } from '../engine/store/sqlite-library.js';

const dir = mkdtempSync(path.join(tmpdir(), 'weft-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a CommonJS file with a code cache', () => {
  it("is taken for the build's validators, CLI bundle and copies of yaml and better-sqlite3 by this Node.js", () => {
    const validators = requireWithCodeCache(GENERATED_VALIDATORS);
    expect(validators.exports).toBeTypeOf('function');
    expect(validators.cached).toBe(true);
    const yaml = requireWithCodeCache(vendoredFile('yaml'));
    expect(yaml.cached).toBe(true);
    expect((yaml.exports as typeof import('yaml')).parse('a: [1, 2]')).toEqual({ a: [1, 2] });
    const cli = requireWithCodeCache(path.join(repoRoot, 'dist', 'bundle', 'cli.cjs'));
    expect(cli.cached).toBe(true);
    expect((cli.exports as { cli: unknown }).cli).toBeTypeOf('function');
    const sqlite = requireWithCodeCache(vendoredFile('better-sqlite3'));
    expect(sqlite.cached).toBe(true);
    const db = new (sqlite.exports as typeof import('better-sqlite3'))(':memory:', { nativeBinding: nativeBinding! });
    expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    db.close();
  });

  it('loads the same exports with a cache, without one, and with a stale or broken one', async () => {
    const file = path.join(dir, 'm.cjs');
    writeFileSync(file, "const { join } = require('node:path');\nmodule.exports = { twice: (x) => x * 2, join: join('a', 'b') };\n");
    expect(requireWithCodeCache(file)).toMatchObject({ cached: false, exports: { join: 'a/b' } });

    await writeCodeCache(file, (m) => void (m as { twice: (x: number) => number }).twice(1));
    const withCache = requireWithCodeCache(file);
    expect(withCache.cached).toBe(true);
    expect((withCache.exports as { twice: (x: number) => number }).twice(21)).toBe(42);

    // V8 itself checks only the length: an edit of the same length must not run the old code.
    writeFileSync(file, "const { join } = require('node:path');\nmodule.exports = { twice: (x) => x * 3, join: join('a', 'b') };\n");
    const sameLength = requireWithCodeCache(file);
    expect(sameLength.cached).toBe(false);
    expect((sameLength.exports as { twice: (x: number) => number }).twice(1)).toBe(3);

    writeFileSync(file, 'module.exports = { twice: (x) => x + x + 1 };\n');
    const stale = requireWithCodeCache(file);
    expect(stale.cached).toBe(false);
    expect((stale.exports as { twice: (x: number) => number }).twice(1)).toBe(3);

    // (A new source: V8 keeps what it compiled in this process, and would not look at the cache.)
    writeFileSync(file, 'module.exports = { twice: (x) => 2 * x };\n');
    writeFileSync(`${file}.v8cache`, 'not a cache');
    const broken = requireWithCodeCache(file);
    expect(broken.cached).toBe(false);
    expect((broken.exports as { twice: (x: number) => number }).twice(4)).toBe(8);
  });
});
