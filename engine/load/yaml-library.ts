// The yaml library, from the build's one-file copy and its V8 code cache (scripts/bundle-cli.mjs)
// when there is one: as ~60 CommonJS files it took 35-50 ms to load, as one file with the cache
// ~10 ms less than without. From node_modules otherwise (a checkout that was not built).
import { createRequire } from 'node:module';
import path from 'node:path';
import { requireWithCodeCache } from '../code-cache.js';
import { packageRoot } from '../paths.js';

type YamlLibrary = typeof import('yaml');

/** Where the build writes the one-file copy. */
export const VENDORED_YAML = path.join(packageRoot, 'dist', 'vendor', 'yaml.cjs');

function load(): YamlLibrary {
  try {
    return requireWithCodeCache(VENDORED_YAML).exports as YamlLibrary;
  } catch {
    return createRequire(import.meta.url)('yaml') as YamlLibrary;
  }
}

export const yaml: YamlLibrary = load();
