import { WeftError } from '../errors.js';
import type { InputSpec, Pipeline } from '../types.js';

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function fits(spec: InputSpec, value: unknown): boolean {
  const actual = typeOf(value);
  if (spec.type === 'number') return actual === 'number' || actual === 'integer';
  if (spec.type === 'object') return actual === 'object';
  return actual === spec.type;
}

/**
 * The run's input values: given values over declared defaults, each checked against its type.
 * Every problem is reported at once, as one INPUT_INVALID error.
 * @example resolveInputs(pipeline, { strict: true }) // { project: '.', strict: true }
 */
export function resolveInputs(pipeline: Pipeline, given: Record<string, unknown> = {}): Record<string, unknown> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(pipeline.inputs, name)) {
      const known = Object.keys(pipeline.inputs);
      problems.push(`unknown input "${name}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (the pipeline declares no inputs)'}`);
    }
  }
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) problems.push(`input "${name}" is required`);
      continue;
    }
    if (!fits(spec, value)) {
      problems.push(`input "${name}" must be ${spec.type === 'integer' ? 'an' : 'a'} ${spec.type}, got ${JSON.stringify(value)}`);
      continue;
    }
    if (spec.enum && !spec.enum.some((allowed) => allowed === value)) {
      problems.push(`input "${name}" must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`);
      continue;
    }
    values[name] = value;
  }
  if (problems.length) throw new WeftError('INPUT_INVALID', problems.join('; '));
  return values;
}
