/** Hides secret values in text and data before they reach a log, an event or a report. */
export interface Masker {
  /** Every occurrence of every secret replaced by `***`. */
  mask(text: string): string;
  /** A copy of `value` with every string (and key) masked; the value itself when there are no secrets. */
  maskDeep<T>(value: T): T;
  /** Start masking one more value, e.g. a token obtained during the run. */
  add(secret: string): void;
}

export const MASK = '***';

// Shorter values would mask ordinary words and digits everywhere and hide nothing worth hiding.
export const MIN_SECRET_LENGTH = 3;

/**
 * A masker for the run's secrets. Longest secrets are matched first, so a secret that contains
 * another is hidden whole. A secret's JSON-escaped form is masked too (it shows up that way in
 * JSON output), and so is each line of a multi-line secret (logs arrive line by line).
 * @example
 * const masker = createMasker([process.env.API_TOKEN ?? '']);
 * masker.mask('curl -H "Authorization: Bearer s3cr3t"') // 'curl -H "Authorization: Bearer ***"'
 */
export function createMasker(secrets: string[] = []): Masker {
  const values = new Set<string>();
  let pattern: RegExp | undefined;
  let dirty = false;

  const add = (secret: string): void => {
    for (const variant of variantsOf(secret)) {
      if (variant.length < MIN_SECRET_LENGTH || values.has(variant)) continue;
      values.add(variant);
      dirty = true;
    }
  };

  const currentPattern = (): RegExp | undefined => {
    if (dirty) {
      const alternatives = [...values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      pattern = new RegExp(alternatives.join('|'), 'g');
      dirty = false;
    }
    return pattern;
  };

  const mask = (text: string): string => {
    const re = currentPattern();
    return re ? text.replace(re, MASK) : text;
  };

  const maskDeep = <T>(value: T): T => (currentPattern() ? (maskValue(value, mask, new Map()) as T) : value);

  for (const secret of secrets) add(secret);
  return { mask, maskDeep, add };
}

function variantsOf(secret: string): string[] {
  if (typeof secret !== 'string') return [];
  // Shell-quoted too: `{{secrets.X}}` in a command is inserted as 'it'\''s', which a task may echo.
  const variants = [secret, JSON.stringify(secret).slice(1, -1), secret.replaceAll("'", "'\\''")];
  if (secret.includes('\n')) variants.push(...secret.split(/\r?\n/).map((line) => line.trim()));
  return variants;
}

function maskValue(value: unknown, mask: (text: string) => string, seen: Map<object, unknown>): unknown {
  if (typeof value === 'string') return mask(value);
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(maskValue(item, mask, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return maskOther(value, mask);
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) {
    // defineProperty keeps a key named __proto__ a plain key.
    Object.defineProperty(out, mask(key), { value: maskValue(item, mask, seen), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// Errors carry secrets in their message more often than anything else that is not plain data.
function maskOther(value: object, mask: (text: string) => string): unknown {
  if (value instanceof Error) {
    const copy = new Error(mask(value.message));
    copy.name = value.name;
    for (const [key, item] of Object.entries(value)) {
      (copy as unknown as Record<string, unknown>)[key] = typeof item === 'string' ? mask(item) : item;
    }
    return copy;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
