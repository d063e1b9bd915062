import { WeftError } from '../errors.js';
import { inputProblem } from '../input-values.js';
import type { Pipeline } from '../types.js';

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
    const problem = inputProblem(spec, value);
    if (problem) problems.push(`input "${name}" ${problem}`);
    else values[name] = value;
  }
  if (problems.length) throw new WeftError('INPUT_INVALID', problems.join('; '));
  return values;
}
