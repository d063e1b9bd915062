// Inputs: a default must be a value of the declared input (its type, and one of `enum`).
import { inputProblem } from '../../input-values.js';
import type { InputType } from '../../types.js';
import type { Reporter } from './report.js';
import { isRecord } from './shape.js';

/** INPUT_INVALID for defaults that are not values of their input. */
export function checkInputs(doc: Record<string, unknown>, reporter: Reporter): void {
  if (!isRecord(doc.inputs)) return;
  for (const [name, spec] of Object.entries(doc.inputs)) {
    if (!isRecord(spec) || !Object.hasOwn(spec, 'default') || typeof spec.type !== 'string') continue;
    const declared = { type: spec.type as InputType, ...(Array.isArray(spec.enum) && { enum: spec.enum as unknown[] }) };
    const problem = inputProblem(declared, spec.default);
    if (problem) reporter.add('INPUT_INVALID', ['inputs', name, 'default'], `inputs.${name}: default ${problem}`);
  }
}
