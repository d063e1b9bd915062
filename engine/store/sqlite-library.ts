// better-sqlite3, from the build's one-file copy and its V8 code cache, and its native addon by
// path: found by the `bindings` package, it cost a stack-trace parse and a failed require per
// folder tried before build/Release (require + open of a store: 15 -> ~9 ms).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { requireVendored } from '../code-cache.js';

export const Database: typeof BetterSqlite3 = requireVendored<typeof BetterSqlite3>('better-sqlite3');

/** The addon where npm's build (or its prebuilt download) puts it; undefined: let better-sqlite3 look. */
export const nativeBinding: string | undefined = findAddon();

function findAddon(): string | undefined {
  try {
    const file = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}
