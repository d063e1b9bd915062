// JSON Schema checks with ajv, errors mapped to YAML positions and sentences a person reads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { kindOf } from '../../input-values.js';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../executor.js';
import { packageRoot } from '../../paths.js';
import { precompiledValidator } from './precompiled.js';
import { didYouMean } from '../../suggest.js';
import { withinMaxDuration } from '../../duration.js';
import type { PathSegment } from '../yaml.js';
import { withoutEditorConditions } from './editor-schema.js';
import { prefix, type Reporter } from './report.js';
import { isTemplate } from '../../handlebars/is-template.js';
import type { WeftErrorCode } from '../../errors.js';

export const PIPELINE_SCHEMA_ID = 'https://weft.dev/schemas/pipeline.schema.json';

let ajv: Ajv | undefined;
let pipelineValidator: ValidateFunction | undefined;
let pipelineSchema: JsonSchema | undefined;
const compiled = new WeakMap<object, ValidateFunction | Error>();

/**
 * ajv's options for weft's schemas; the build compiles the built-in schemas with the same
 * (generate-validators.ts). strict off and formats unchecked: plugin schemas may use keywords
 * and formats ajv lacks; verbose, for the messages below.
 */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false };

/**
 * One ajv for the process, made on first need. The built-in schemas come compiled from the
 * build, so a run of built-in executors never imports ajv (~45 ms) nor compiles (~60 ms) at start.
 */
export function sharedAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new AjvClass(AJV_OPTIONS);
    // Durations: the pattern checks the form; a regex cannot say "at most 576h", and `.inf` is a number.
    ajv.addKeyword({ keyword: 'maxDurationMs', schemaType: 'number', validate: (_max: number, data: unknown) => withinMaxDuration(data) });
    ajv.addSchema(readPipelineSchema(), PIPELINE_SCHEMA_ID);
  }
  return ajv;
}

/**
 * The published schema, read from `schemas/` of the package (the file editors use), without the
 * editor-only checks of `with` per executor: validate/executors.ts checks `with` against the
 * executor actually registered, plugins' included.
 */
export function readPipelineSchema(): JsonSchema {
  pipelineSchema ??= withoutEditorConditions(JSON.parse(readFileSync(path.join(packageRoot, 'schemas', 'pipeline.schema.json'), 'utf8')) as JsonSchema);
  return pipelineSchema;
}

export function pipelineSchemaValidator(): ValidateFunction {
  pipelineValidator ??= precompiledValidator(readPipelineSchema()) ?? sharedAjv().getSchema(PIPELINE_SCHEMA_ID)!;
  return pipelineValidator;
}

/** Compile a schema once (the build's compiled twin when there is one); a schema ajv cannot compile comes back as the Error. */
export function compileSchema(schema: JsonSchema): ValidateFunction | Error {
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = precompiledValidator(schema) ?? sharedAjv().compile(schema);
    } catch (error) {
      validate = error as Error;
    }
    compiled.set(schema, validate);
  }
  return validate;
}

function definitions(): Record<string, JsonSchema> {
  return (readPipelineSchema() as { definitions: Record<string, JsonSchema> }).definitions;
}

export type MapOptions = {
  /** The value validated, to turn pointer segments into array indices where they are. */
  root: unknown;
  /** Where `root` sits in the document. */
  base: readonly PathSegment[];
  /** Where a path inside `root` sits in the document, when `base` alone cannot say (run: shorthand). */
  place?: (inner: PathSegment[]) => PathSegment[];
  /** Values are templates rendered later: a string holding `{{` may become any type. */
  templated?: boolean;
  /** Code for a value of the wrong shape (default PIPELINE_INVALID). */
  invalid?: 'PIPELINE_INVALID' | 'CONFIG_INVALID';
};

/**
 * Report ajv errors at their YAML positions: unknown keys with a did-you-mean at the key,
 * missing keys at the parent's key, bad values at the value, durations as BAD_DURATION.
 * @example reportSchemaErrors(validate.errors ?? [], reporter, { root: value, base: [] })
 */
export function reportSchemaErrors(errors: readonly ErrorObject[], reporter: Reporter, options: MapOptions): void {
  const invalid = options.invalid ?? 'PIPELINE_INVALID';
  for (const error of errors) {
    if (isReportedElsewhere(error, options)) continue;
    const inner = toPath(error.instancePath, options.root);
    const at = options.place ? options.place(inner) : [...options.base, ...inner];
    const describe = byKeyword.get(error.keyword) ?? otherProblem;
    const { code, path, message, key } = describe(error, at, invalid);
    reporter.add(code, path, message, key ? { target: 'key' } : {});
  }
}

// Errors another report covers, or that do not apply.
function isReportedElsewhere(error: ErrorObject, options: MapOptions): boolean {
  // Errors inside propertyNames carry the offending name; the propertyNames error itself reports it.
  if ((error as { propertyName?: string }).propertyName !== undefined) return true;
  // A template may render to any type: the run-time check sees its value.
  if (options.templated && typeof error.data === 'string' && isTemplate(error.data)) return true;
  // A number that is not finite is reported once, by checkNumbers, whatever the schema wanted there.
  if (typeof error.data === 'number' && !Number.isFinite(error.data)) return true;
  // `timeout` is a duration or a template: the duration branch's error is the one that helps.
  return error.keyword === 'anyOf' || isTemplateStringSchema(error.parentSchema);
}

/** One problem to report: `key` places it at the key rather than the value. */
type SchemaProblem = { code: WeftErrorCode; path: PathSegment[]; message: string; key?: boolean };
type InvalidCode = NonNullable<MapOptions['invalid']>;
type Describe = (error: ErrorObject, at: PathSegment[], invalid: InvalidCode) => SchemaProblem;

const byKeyword = new Map<string, Describe>([
  ['additionalProperties', unknownKey],
  ['required', missingKey],
  ['propertyNames', badName],
  ['enum', notOneOf],
  ['type', wrongType],
  ['maxDurationMs', (error, at) => ({ code: 'BAD_DURATION', path: at, message: `${prefix(at)}${tooLong(error.data)}` })],
]);

function paramsOf(error: ErrorObject): Record<string, unknown> {
  return error.params as Record<string, unknown>;
}

function unknownKey(error: ErrorObject, at: PathSegment[]): SchemaProblem {
  const key = String(paramsOf(error).additionalProperty);
  const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
  return { code: 'UNKNOWN_KEY', path: [...at, key], message: `${prefix(at)}unknown key "${key}"${didYouMean(key, known)}`, key: true };
}

function missingKey(error: ErrorObject, at: PathSegment[], invalid: InvalidCode): SchemaProblem {
  return { code: invalid, path: at, message: `${prefix(at)}missing required key "${String(paramsOf(error).missingProperty)}"`, key: true };
}

function badName(error: ErrorObject, at: PathSegment[], invalid: InvalidCode): SchemaProblem {
  const name = String(paramsOf(error).propertyName);
  const rule = describePattern(error.schema as JsonSchema);
  return { code: invalid, path: [...at, name], message: `${prefix(at)}"${name}" is not a valid name${rule}`, key: true };
}

function notOneOf(error: ErrorObject, at: PathSegment[], invalid: InvalidCode): SchemaProblem {
  const allowed = (paramsOf(error).allowedValues as unknown[]).map(String);
  const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
  return { code: invalid, path: at, message: `${prefix(at)}${JSON.stringify(error.data)} is not one of ${allowed.join(', ')}${hint}` };
}

function wrongType(error: ErrorObject, at: PathSegment[], invalid: InvalidCode): SchemaProblem {
  if (isDurationSchema(error.parentSchema)) return notADurationAt(error, at);
  // ajv writes a list of types as "string,array,object".
  const types = String(paramsOf(error).type).split(',');
  const wanted = types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0];
  return { code: invalid, path: at, message: `${prefix(at)}must be ${wanted}${shown(error)}` };
}

// Any other keyword: ajv's own message, or BAD_DURATION for a duration's pattern.
function otherProblem(error: ErrorObject, at: PathSegment[], invalid: InvalidCode): SchemaProblem {
  if (isDurationSchema(error.parentSchema)) return notADurationAt(error, at);
  return { code: invalid, path: at, message: `${prefix(at)}${error.message ?? 'is invalid'}${shown(error)}` };
}

function notADurationAt(error: ErrorObject, at: PathSegment[]): SchemaProblem {
  return { code: 'BAD_DURATION', path: at, message: `${prefix(at)}${notADuration(error.data)}` };
}

function notADuration(value: unknown): string {
  return `${typeof value === 'number' ? String(value) : JSON.stringify(value)} is not a duration; write e.g. 250ms, 30s, 5m, 1h or 1m30s`;
}

function tooLong(value: unknown): string {
  return `${JSON.stringify(value)} is longer than 576h (24 days), the longest duration weft supports`;
}

function isTemplateStringSchema(schema: unknown): boolean {
  const templateString = definitions()['templateString'];
  return schema === templateString || (typeof schema === 'object' && schema !== null && (schema as JsonSchema).pattern === templateString?.pattern);
}

/** Errors of the `duration` definition, reached through any $ref, are BAD_DURATION. */
function isDurationSchema(schema: unknown): boolean {
  const duration = definitions().duration!;
  return schema === duration || (typeof schema === 'object' && schema !== null && (schema as JsonSchema).pattern === duration.pattern);
}

function shown(error: ErrorObject): string {
  if (error.keyword === 'type') return `, got ${kindOf(error.data)}`;
  if (error.keyword === 'pattern' || error.keyword.endsWith('imum')) return ` (got ${JSON.stringify(error.data)})`;
  return '';
}

function describePattern(schema: JsonSchema): string {
  const ref = typeof schema.$ref === 'string' ? /#\/definitions\/(\w+)$/.exec(schema.$ref)?.[1] : undefined;
  const description = ref ? definitions()[ref]?.description : schema.description;
  return typeof description === 'string' ? `: ${description.replace(/\.$/, '').toLowerCase()}` : '';
}

/** A JSON pointer (`/tasks/build/needs/0`) as path segments, numbers where the data holds arrays. */
export function toPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      segments.push(Number(key));
      node = node[Number(key)];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}
