// A template call's `with:` against the template's typed `inputs`: statically at load time (what
// a literal can tell) and again at run time, once the call's templates are rendered.
import { WeftError } from '../../errors.js';
import { isTemplateString } from '../../handlebars/is-template.js';
import { inputProblem } from '../../input-values.js';
import type { InputSpec } from '../../types.js';

/** One mismatch; `key` is the `with:` key it is about, when there is one. */
export type InputMismatch = { key?: string; message: string };

/**
 * Every way `given` fails `inputs`: unknown keys, missing required inputs, wrong types and
 * values outside an enum. With `atLoad`, values still holding `{{…}}` are not type-checked.
 * @example checkInputs({ dir: { type: 'string', required: true } }, { dri: 'src' }, 'audit', true)
 * // [{ key: 'dri', message: 'template audit has no input "dri" (inputs: dir)' },
 * //  { message: 'template audit needs input "dir"' }]
 */
export function checkInputs(inputs: Record<string, InputSpec>, given: Record<string, unknown>, template: string, atLoad: boolean): InputMismatch[] {
  const problems: InputMismatch[] = [];
  const known = Object.keys(inputs);
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(inputs, key)) {
      problems.push({ key, message: `template ${template} has no input "${key}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (it declares no inputs)'}` });
    }
  }
  for (const [name, spec] of Object.entries(inputs)) {
    const has = Object.hasOwn(given, name);
    const value = has ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) problems.push({ message: `template ${template} needs input "${name}"` });
      continue;
    }
    // A string holding a template is only known at run time; the run-time check sees its value.
    if (!has || (atLoad && isTemplateString(value))) continue;
    const problem = inputProblem(spec, value);
    if (problem) problems.push({ key: name, message: `input "${name}" of template ${template} ${problem}` });
  }
  return problems;
}

/**
 * The `inputs` a template's tasks see: the call's rendered `with` over the declared defaults.
 * Throws INPUT_INVALID with every mismatch at once.
 * @example applyInputs({ pattern: { type: 'string', default: 'TODO' } }, {}, 'audit') // { pattern: 'TODO' }
 */
export function applyInputs(inputs: Record<string, InputSpec>, given: Record<string, unknown>, template: string): Record<string, unknown> {
  const problems = checkInputs(inputs, given, template, false);
  if (problems.length) throw new WeftError('INPUT_INVALID', problems.map((p) => p.message).join('; '));
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value !== undefined) values[name] = value;
  }
  return values;
}
