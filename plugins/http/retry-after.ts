/**
 * Milliseconds to wait from a `retry-after` header: delay-seconds or an HTTP date.
 * Undefined when the header is missing or unreadable; never negative.
 * @example parseRetryAfter('2') // 2000
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
