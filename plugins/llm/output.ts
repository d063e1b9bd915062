// `output: json`: find the JSON in an answer, parse it, check it against `with.schema`, and say
// exactly what was wrong so the re-ask can fix it.
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { WeftError } from '../../engine/plugin.js';
import type { JsonSchema } from '../../engine/plugin.js';

export type Verdict = { ok: true; json?: unknown } | { ok: false; problem: string };

// Users' schemas are their own business: lenient compile (no strict-mode refusals), every error reported.
// Made on first use: this module is also loaded on the main thread (jsonInstruction), where ajv
// (~45 ms to import) is not otherwise needed.
let ajv: Ajv | undefined;
function sharedAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new AjvClass({ allErrors: true, strict: false });
  }
  return ajv;
}
const compiled = new Map<string, ValidateFunction>();

/**
 * The JSON text inside an answer: a fenced ```json block, else the span from the first `{` or `[`
 * to the last matching closer. Undefined when there is none.
 * @example extractJson('Here:\n```json\n{"a":1}\n```') // '{"a":1}'
 */
export function extractJson(text: string): string | undefined {
  const fenced = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/.exec(text);
  if (fenced) return fenced[1]!.trim();
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  const closer = text[start] === '{' ? '}' : ']';
  const end = text.lastIndexOf(closer);
  return end > start ? text.slice(start, end + 1) : text.slice(start);
}

/**
 * Whether an answer is acceptable for the task's `output`; for json, the parsed value or the
 * problem in words the model can act on.
 * @example judgeAnswer('{"findings":[]}', 'end_turn', { output: 'json', schema })
 */
export function judgeAnswer(text: string, stopReason: string | null, w: { output?: 'text' | 'json'; schema?: JsonSchema }): Verdict {
  if (w.output !== 'json') return { ok: true };
  const cutOff = stopReason === 'max_tokens' ? ' The answer was cut off at maxTokens; reply with shorter JSON.' : '';
  const raw = extractJson(text);
  if (raw === undefined) return { ok: false, problem: `The answer contained no JSON value.${cutOff}` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problem: `The JSON did not parse: ${(error as Error).message}.${cutOff}` };
  }
  if (!w.schema) return { ok: true, json };
  const validate = validatorFor(w.schema);
  if (validate(json)) return { ok: true, json };
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  return { ok: false, problem: `The JSON does not match the schema: ${errors.join('; ')}.` };
}

/**
 * The follow-up user message of a re-ask: what was wrong, and what to send instead.
 * @example followUp('The JSON did not parse: Unexpected token.')
 */
export function followUp(problem: string): string {
  return `Your previous answer could not be used. ${problem} Reply again with only the corrected JSON, no other text.`;
}

/** The system instruction added for json output, so the first answer is usually the right one. */
export function jsonInstruction(schema: JsonSchema | undefined): string {
  const shape = schema ? ` It must match this JSON Schema:\n${JSON.stringify(schema)}` : '';
  return `Reply with a single JSON value and nothing else.${shape}`;
}

function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = sharedAjv().compile(schema);
    } catch (cause) {
      throw new WeftError('PIPELINE_INVALID', `with.schema is not a usable JSON Schema: ${(cause as Error).message}`, { cause });
    }
    compiled.set(key, validate);
  }
  return validate;
}
