// The one value layer for inputs: a declared input (`type`, `enum`) is a JSON Schema, and every
// place that checks an input value — `weft validate` for defaults, `--var` after its text is
// read, a run's inputs, a template call's `with` — checks it here, with ajv, in the same words.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { InputSpec, InputType } from './types.js';

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
