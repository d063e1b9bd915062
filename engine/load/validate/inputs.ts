// Inputs: a default must be a value of the declared type, and one of `enum` when there is one.
import { isDeepStrictEqual } from 'node:util';
import type { InputType } from '../../types.js';
import type { Reporter } from './report.js';
import { kindOf } from './schema.js';
import { isRecord } from './shape.js';

/** True when `value` is of the input type (an integer is a number too). */
export function matchesInputType(value: unknown, type: InputType): boolean {
  const kind = kindOf(value);
  return kind === type || (type === 'number' && kind === 'integer');
}

/** INPUT_INVALID for defaults of the wrong type or outside `enum`. */
export function checkInputs(doc: Record<string, unknown>, reporter: Reporter): void {
  if (!isRecord(doc.inputs)) return;
  for (const [name, spec] of Object.entries(doc.inputs)) {
    if (!isRecord(spec) || !Object.hasOwn(spec, 'default') || typeof spec.type !== 'string') continue;
    const path = ['inputs', name, 'default'];
    const value = spec.default;
    if (!matchesInputType(value, spec.type as InputType)) {
      reporter.add('INPUT_INVALID', path, `inputs.${name}: default ${JSON.stringify(value)} is not of type ${spec.type}`);
    } else if (Array.isArray(spec.enum) && !spec.enum.some((allowed) => isDeepStrictEqual(allowed, value))) {
      reporter.add('INPUT_INVALID', path, `inputs.${name}: default ${JSON.stringify(value)} is not one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }
}
