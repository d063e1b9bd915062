import { WeftError } from '../errors.js';
import { inputProblem, typeWords } from '../input-values.js';
import type { InputSpec } from '../types.js';

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Turn `--var key=value` strings into typed inputs, by each input's declared type: `number`,
 * `integer`, `boolean` (true/false), `array`/`object` as JSON, `string` as is.
 * An unknown input or a value of the wrong type is INPUT_INVALID (exit 2).
 * @example parseVars(['n=3', 'strict=true'], { n: { type: 'integer' }, strict: { type: 'boolean' } })
 * // { n: 3, strict: true }
 */
export function parseVars(pairs: string[], inputs: Record<string, InputSpec>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new WeftError('INPUT_INVALID', `--var needs key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const spec = Object.hasOwn(inputs, key) ? inputs[key] : undefined;
    if (!spec) {
      const known = Object.keys(inputs);
      const hint = known.length > 0 ? `; inputs are: ${known.join(', ')}` : '; the pipeline declares no inputs';
      throw new WeftError('INPUT_INVALID', `unknown input "${key}"${hint}`);
    }
    values[key] = coerce(key, pair.slice(eq + 1), spec);
  }
  return values;
}

// The CLI only reads text as the declared type; whether the value is allowed is the value layer's call.
function coerce(key: string, raw: string, spec: InputSpec): unknown {
  const value = convert(raw, spec.type);
  const problem = value === undefined ? `must be ${typeWords(spec.type)}` : inputProblem(spec, value);
  if (problem) throw new WeftError('INPUT_INVALID', `input "${key}" ${problem.replace(/, got .*$/, '')}, got "${raw}"`);
  return value;
}

// undefined means "not of this type".
function convert(raw: string, type: InputSpec['type']): unknown {
  switch (type) {
    case 'string':
      return raw;
    // Decimal numbers as JSON writes them: Number() alone would take '0x10', ' 5' and ''.
    case 'number':
      return DECIMAL.test(raw) ? Number(raw) : undefined;
    case 'integer': {
      const n = Number(raw);
      return DECIMAL.test(raw) && Number.isSafeInteger(n) ? n : undefined;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'array':
    case 'object': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return undefined;
      }
      const isArray = Array.isArray(parsed);
      const ok = type === 'array' ? isArray : typeof parsed === 'object' && parsed !== null && !isArray;
      return ok ? parsed : undefined;
    }
  }
}
