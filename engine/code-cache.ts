// A CommonJS file loaded with a V8 code cache the build wrote beside it, for the big files every
// command loads: the generated validators (~230 KB; compiling was half their load, 13 -> 6 ms)
// and the yaml library (engine/load/yaml-library.ts).
// V8 checks the cache against the source and its own version; a cache it rejects (another
// Node.js, a changed file) costs nothing but the compile it would have saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** Where a file's cache lives. */
const cacheOf = (file: string) => `${file}.v8cache`;

function compile(file: string, cachedData?: Buffer): Script {
  const source = readFileSync(file, 'utf8');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData && { cachedData }) });
}

function evaluate(script: Script, file: string): unknown {
  const module = { exports: {} as unknown };
  type Wrapper = (e: unknown, r: NodeJS.Require, m: typeof module, f: string, d: string) => void;
  (script.runInThisContext() as Wrapper)(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/**
 * `module.exports` of a CommonJS file, compiled with its cache when there is a usable one;
 * `cached` says whether V8 took the cache.
 * @example const { exports } = requireWithCodeCache(GENERATED_VALIDATORS);
 */
export function requireWithCodeCache(file: string): { exports: unknown; cached: boolean } {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheOf(file));
  } catch {
    // no cache: compile as require would
  }
  const script = compile(file, cachedData);
  return { exports: evaluate(script, file), cached: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Build step: load `file`, let `exercise` call into it (functions V8 compiled by then are
 * cached too), and write the cache beside it.
 * @example writeCodeCache(GENERATED_VALIDATORS, (load) => …)
 */
export function writeCodeCache(file: string, exercise: (exports: unknown) => void): void {
  const script = compile(file);
  exercise(evaluate(script, file));
  writeFileSync(cacheOf(file), script.createCachedData());
}
