// Validators the build compiled (ajv standalone code, generate-validators.ts): the pipeline,
// config and built-in executor schemas need neither ajv nor a compile at start.
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { withinMaxDuration } from '../../duration.js';
import type { JsonSchema } from '../../executor.js';
import { packageRoot } from '../../paths.js';
import { requireWithCodeCache } from '../../code-cache.js';

/** Where the build writes them (with a V8 code cache beside); CommonJS, so they load synchronously like the compile they replace. */
export const GENERATED_VALIDATORS = path.join(packageRoot, 'dist', 'engine', 'load', 'validate', 'validators.generated.cjs');

/** The generated module: validators by export name, and which schema (as JSON text) each one checks. */
export type GeneratedValidators = { validators: Record<string, ValidateFunction>; schemas: Record<string, string> };

/** What the generated code calls for weft's own keywords (maxDurationMs), handed in as it loads. */
export type ValidatorDeps = { withinMaxDuration: (value: unknown) => boolean };

let byJson: Map<string, ValidateFunction> | null | undefined;

/**
 * The build's validator for exactly this schema, or undefined (a plugin's schema, a schema
 * changed since the build, or no build output: the caller compiles with ajv then).
 * @example precompiledValidator(shell.schema)?.({ command: 'true' }) // true
 */
export function precompiledValidator(schema: JsonSchema): ValidateFunction | undefined {
  if (byJson === undefined) byJson = loadGenerated();
  return byJson?.get(JSON.stringify(schema));
}

function loadGenerated(): Map<string, ValidateFunction> | null {
  let generated: GeneratedValidators;
  try {
    const load = requireWithCodeCache(GENERATED_VALIDATORS).exports as (deps: ValidatorDeps) => GeneratedValidators;
    generated = load({ withinMaxDuration });
  } catch {
    return null;
  }
  const map = new Map<string, ValidateFunction>();
  for (const [name, json] of Object.entries(generated.schemas)) {
    const validate = generated.validators[name];
    if (validate) map.set(json, validate);
  }
  return map;
}
