// Whether a value still reads run-time values: the one test for "holds a template expression",
// kept apart from render.ts so callers (plugins included) need not load Handlebars for it.

/**
 * True when `s` holds a template expression.
 * @example isTemplate('lint {{item.file}}') // true
 */
export function isTemplate(s: string): boolean {
  return s.includes('{{');
}

/**
 * True when `value` is a string holding a template expression.
 * @example isTemplateString(3) // false
 */
export function isTemplateString(value: unknown): value is string {
  return typeof value === 'string' && isTemplate(value);
}

/**
 * True when any string anywhere in `value` (nested arrays and objects included) holds one.
 * @example holdsTemplate({ prompt: ['a', '{{item}}'] }) // true
 */
export function holdsTemplate(value: unknown): boolean {
  return isTemplate(JSON.stringify(value) ?? '');
}
