// A CommonJS file loaded with a V8 code cache the build wrote beside it, for what every command
// loads: the generated validators (~230 KB; compiling was half their load, 13 -> 6 ms) and the
// one-file copies of yaml and better-sqlite3 the build makes (requireVendored).
// V8 rejects a cache made by another version of itself, but checks the source only by its
// length: an edit that keeps the length would run the old code. So the cache starts with the
// sha256 of the source it was made from, and is used only for exactly that source.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import { packageRoot } from './paths.js';

/** Where a file's cache lives. */
const cacheOf = (file: string) => `${file}.v8cache`;
const DIGEST_BYTES = 32;
const digestOf = (source: Buffer) => createHash('sha256').update(source).digest();

// CommonJS's wrapper, plus `__weftImport`: code run by vm.Script cannot use import() on Node 20
// (that needs --experimental-vm-modules), so a file that must load an ES module at run time (the
// CLI bundle: plugins, tinyglobby) calls __weftImport, which imports from here.
function compile(file: string, source: Buffer, cachedData?: Buffer): Script {
  const wrapped = `(function (exports, require, module, __filename, __dirname, __weftImport) {${source.toString('utf8')}\n})`;
  return new Script(wrapped, { filename: file, ...(cachedData && { cachedData }) });
}

const importModule = (specifier: string): Promise<unknown> => import(specifier);

function evaluate(script: Script, file: string): unknown {
  const module = { exports: {} as unknown };
  type Wrapper = (e: unknown, r: NodeJS.Require, m: typeof module, f: string, d: string, i: typeof importModule) => void;
  (script.runInThisContext() as Wrapper)(module.exports, createRequire(file), module, file, path.dirname(file), importModule);
  return module.exports;
}

/** The V8 data of `file`'s cache, when the cache was made from exactly `source`. */
function cachedDataFor(file: string, source: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = readFileSync(cacheOf(file));
  } catch {
    return undefined;
  }
  if (cache.length <= DIGEST_BYTES || !cache.subarray(0, DIGEST_BYTES).equals(digestOf(source))) return undefined;
  return cache.subarray(DIGEST_BYTES);
}

/**
 * `module.exports` of a CommonJS file, compiled with its cache when there is a usable one;
 * `cached` says whether V8 took the cache.
 * @example const { exports } = requireWithCodeCache(GENERATED_VALIDATORS);
 */
export function requireWithCodeCache(file: string): { exports: unknown; cached: boolean } {
  const source = readFileSync(file);
  const cachedData = cachedDataFor(file, source);
  const script = compile(file, source, cachedData);
  return { exports: evaluate(script, file), cached: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Build step: load `file`, let `exercise` call into it (functions V8 compiled by then are
 * cached too), and write the cache beside it.
 * @example await writeCodeCache(GENERATED_VALIDATORS, (load) => …)
 */
export async function writeCodeCache(file: string, exercise: (exports: unknown) => void | Promise<void>): Promise<void> {
  const source = readFileSync(file);
  const script = compile(file, source);
  await exercise(evaluate(script, file));
  writeFileSync(cacheOf(file), Buffer.concat([digestOf(source), script.createCachedData()]));
}

/** Where the build writes the one-file copy of a library (scripts/bundle-cli.mjs). */
export const vendoredFile = (name: string): string => path.join(packageRoot, 'dist', 'vendor', `${name}.cjs`);

/**
 * A library from the build's one-file copy, with its code cache: loading one file instead of a
 * package's dozens is most of what this saves. From node_modules when there is no copy (a
 * checkout that was not built).
 * @example const yaml = requireVendored<typeof import('yaml')>('yaml');
 */
export function requireVendored<T>(name: string): T {
  try {
    return requireWithCodeCache(vendoredFile(name)).exports as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return createRequire(import.meta.url)(name) as T;
  }
}
