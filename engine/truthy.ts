// The one truthiness rule of weft: `if:`, `{{#if}}`, `{{#unless}}`, `and`, `or` and `not` agree.

/**
 * False: `false`, `null`, `undefined`, `0`, `NaN`, `""`, the empty array, and the strings
 * `"false"` and `"0"` (trimmed, any case), since a rendered template is often text. Anything
 * else is true, an empty object included.
 * @example isTruthy('false') // false
 * @example isTruthy('no') // true
 */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    return s !== '' && s !== 'false' && s !== '0';
  }
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
