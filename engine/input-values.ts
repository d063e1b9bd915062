// The one value layer for inputs: a declared input (`type`, `enum`) is a JSON Schema, and every
// place that checks an input value — `weft validate` for defaults, `--var` after its text is
// read, a run's inputs, a template call's `with` — checks it here, with ajv, in the same words.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { WeftError } from './errors.js';
import { isTemplateString } from './handlebars/is-template.js';
import type { InputSpec, InputType, Pipeline } from './types.js';

/**
 * The JSON type of a value, as messages name types (an integer is also a number).
 * @example kindOf([1]) // 'array'
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * An input declaration as the JSON Schema of its values.
 * @example inputSchema({ type: 'array', enum: [['a', 'b'], ['c']] }) // { type: 'array', enum: [['a', 'b'], ['c']] }
 */
export function inputSchema(spec: Pick<InputSpec, 'type' | 'enum'>): Record<string, unknown> {
  return spec.enum ? { type: spec.type, enum: spec.enum } : { type: spec.type };
}

/** `a string`, `an integer`, `an array`. */
export function typeWords(type: InputType | string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

// ajv is required on first use: a run without inputs never loads it.
const requireCjs = createRequire(import.meta.url);
let ajv: { compile(schema: unknown): ValidateFunction } | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(spec: Pick<InputSpec, 'type' | 'enum'>): ValidateFunction {
  const schema = inputSchema(spec);
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    const { Ajv } = requireCjs('ajv') as typeof import('ajv');
    ajv ??= new Ajv({ strict: false });
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

/**
 * Why `value` is not a value of the declared input, in words, or undefined when it is one.
 * Numbers must be finite: JSON cannot hold NaN or Infinity.
 * @example inputProblem({ type: 'array' }, 'x') // 'must be an array, got string'
 * @example inputProblem({ type: 'string', enum: ['a', 'b'] }, 'c') // 'must be one of "a", "b"'
 */
export function inputProblem(spec: Pick<InputSpec, 'type' | 'enum'>, value: unknown): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return `must be a finite number, got ${value}`;
  const validate = validatorFor(spec);
  if (validate(value)) return undefined;
  if (validate.errors?.[0]?.keyword === 'enum') return `must be one of ${(spec.enum ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  return `must be ${typeWords(spec.type)}, got ${kindOf(value)}`;
}

/** How mismatches are worded: a run's inputs, or a template call's `with`. */
type InputWords = {
  unknown(key: string, known: string[]): string;
  missing(name: string): string;
  invalid(name: string, problem: string): string;
};

/** One mismatch; `key` is the `with:` key it is about, when there is one. */
export type InputMismatch = { key?: string; message: string };

/**
 * Every way `given` fails `inputs`: unknown keys, missing required inputs, wrong types and
 * values outside an enum; values `skip` names (given or defaults) are not type-checked.
 */
function inputMismatches(inputs: Record<string, InputSpec>, given: Record<string, unknown>, words: InputWords, skip?: (value: unknown, given: boolean) => boolean): InputMismatch[] {
  const problems: InputMismatch[] = [];
  const known = Object.keys(inputs);
  for (const key of Object.keys(given)) if (!Object.hasOwn(inputs, key)) problems.push({ key, message: words.unknown(key, known) });
  for (const [name, spec] of Object.entries(inputs)) {
    const has = Object.hasOwn(given, name);
    const value = has ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) problems.push({ message: words.missing(name) });
      continue;
    }
    if (skip?.(value, has)) continue;
    const problem = inputProblem(spec, value);
    if (problem) problems.push({ key: name, message: words.invalid(name, problem) });
  }
  return problems;
}

/** The given values over the declared defaults (checked before). */
function inputValues(inputs: Record<string, InputSpec>, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** Throws INPUT_INVALID with every mismatch at once, or returns the values. */
function valuesOrThrow(inputs: Record<string, InputSpec>, given: Record<string, unknown>, problems: InputMismatch[]): Record<string, unknown> {
  if (problems.length) throw new WeftError('INPUT_INVALID', problems.map((p) => p.message).join('; '));
  return inputValues(inputs, given);
}

const runWords: InputWords = {
  unknown: (key, known) => `unknown input "${key}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (the pipeline declares no inputs)'}`,
  missing: (name) => `input "${name}" is required`,
  invalid: (name, problem) => `input "${name}" ${problem}`,
};

const callWords = (template: string): InputWords => ({
  unknown: (key, known) => `template ${template} has no input "${key}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (it declares no inputs)'}`,
  missing: (name) => `template ${template} needs input "${name}"`,
  invalid: (name, problem) => `input "${name}" of template ${template} ${problem}`,
});

/**
 * The run's input values: given values over declared defaults, each checked against its type.
 * Every problem is reported at once, as one INPUT_INVALID error.
 * @example resolveInputs(pipeline, { strict: true }) // { project: '.', strict: true }
 */
export function resolveInputs(pipeline: Pipeline, given: Record<string, unknown> = {}): Record<string, unknown> {
  return valuesOrThrow(pipeline.inputs, given, inputMismatches(pipeline.inputs, given, runWords));
}

/**
 * Every way a template call's `given` fails the template's `inputs`. With `atLoad`, values
 * still holding `{{…}}` are not type-checked (only their rendered value is known, at run time).
 * @example checkInputs({ dir: { type: 'string', required: true } }, { dri: 'src' }, 'audit', true)
 * // [{ key: 'dri', message: 'template audit has no input "dri" (inputs: dir)' },
 * //  { message: 'template audit needs input "dir"' }]
 */
export function checkInputs(inputs: Record<string, InputSpec>, given: Record<string, unknown>, template: string, atLoad: boolean): InputMismatch[] {
  // A given value holding a template is checked at run time; a default is checked by validate.
  const skip = (value: unknown, given: boolean): boolean => !given || (atLoad && isTemplateString(value));
  return inputMismatches(inputs, given, callWords(template), skip);
}

/**
 * The `inputs` a template's tasks see: the call's rendered `with` over the declared defaults.
 * Throws INPUT_INVALID with every mismatch at once.
 * @example applyInputs({ pattern: { type: 'string', default: 'TODO' } }, {}, 'audit') // { pattern: 'TODO' }
 */
export function applyInputs(inputs: Record<string, InputSpec>, given: Record<string, unknown>, template: string): Record<string, unknown> {
  return valuesOrThrow(inputs, given, checkInputs(inputs, given, template, false));
}
