// The public entry for plugin authors, `weft/plugin`: what an executor or a helper module may
// import from weft. Built-in plugins import exactly this module and nothing else of the engine
// (test/plugins-api/boundary.test.ts), so the plugin API is the one the built-ins use.
// It stays light: Handlebars loads only when a plugin asks for it (loadTemplating).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { WeftError, fromErrorData, isWeftError, toErrorData, type WeftErrorCode } from './errors.js';
export { SIGNALS_KEY } from './executor.js';
export type { Executor, ExecutorContext, ExecutorOptions, ExecutorSignals, HelperFn, JsonSchema, Plugin } from './executor.js';
export type { ErrorData } from './types.js';
export { writeFileAtomic } from './write-file-atomic.js';
export { makeDirs, nearestExisting } from './make-dirs.js';
export { createMasker, MASK, type Masker } from './mask.js';
export { holdsTemplate, isTemplate } from './handlebars/is-template.js';
export { envApplier, envDeltas, processEnv, type EnvDelta } from './pool/env-delta.js';
export type { TemplateEngine } from './handlebars/render.js';

/** weft's template engine module: createTemplateEngine, renderString, renderValue. */
export type Templating = typeof import('./handlebars/render.js');

/**
 * weft's isolated, strict Handlebars (the one every pipeline template uses), loaded on first
 * use so a plugin that never renders does not pay for it.
 * @example
 * const { createTemplateEngine, renderString } = await loadTemplating();
 * renderString(createTemplateEngine(), 'hi {{name}}', { name: 'weft' }); // 'hi weft'
 */
export function loadTemplating(): Promise<Templating> {
  return import('./handlebars/render.js');
}

/**
 * The folder of the package a module belongs to (the nearest one above it holding a
 * package.json), for a plugin that ships data files beside its code.
 * @example packageRootOf(import.meta.url) // '/…/node_modules/acme-weft'
 */
export function packageRootOf(moduleUrl: string): string {
  const from = path.dirname(fileURLToPath(moduleUrl));
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
