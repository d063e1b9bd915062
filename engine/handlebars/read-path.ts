import { WeftError } from '../errors.js';

// Listing what is there turns a typo into a one-look fix. Secrets' names are not listed.
const MAX_LISTED_KEYS = 12;

/**
 * Read `parts` from `base`, own properties only, and fail loudly on anything missing.
 * Own-only is the strict rule and the prototype guard at once: `constructor`, `__proto__`
 * and inherited methods are simply "not defined".
 * @param prefix how the path starts in the template, for the message: '' for a root path,
 *   'this.' inside an `#each`, '../', '@', or a block param's 'x.'.
 * @example readPath({ a: { b: 1 } }, ['a', 'b'], '') // 1
 */
export function readPath(base: unknown, parts: readonly string[], prefix: string): unknown {
  let value = base;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (!hasOwnKey(value, key)) throw missingPath(parts, i, prefix, value);
    value = (value as Record<string, unknown>)[key];
    // The run code may build `secrets` straight from an env record, where unset reads as undefined.
    if (value === undefined && i === 1 && isSecret(parts, prefix)) throw missingPath(parts, i, prefix, value);
  }
  return value;
}

function hasOwnKey(value: unknown, key: string): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'object' || typeof value === 'function') return Object.hasOwn(value, key);
  // `{{tasks.x.output.stdout.length}}` is the one property worth reading on a primitive.
  return typeof value === 'string' && key === 'length';
}

function isSecret(parts: readonly string[], prefix: string): boolean {
  return prefix === '' && parts[0] === 'secrets';
}

function missingPath(parts: readonly string[], at: number, prefix: string, parent: unknown): WeftError {
  const full = prefix + parts.join('.');
  if (isSecret(parts, prefix) && at === 1) {
    return new WeftError('TEMPLATE_ERROR', `${full} is not defined: secret ${parts[1]} is not set in the environment`);
  }
  if (prefix === '' && parts[0] === 'env' && at === 1) {
    return new WeftError('TEMPLATE_ERROR', `${full} is not set: neither the pipeline's env nor the process environment has ${parts[1]} (write {{default env.${parts[1]} "…"}} for a fallback)`);
  }
  if (at === 0 && (prefix === '' || prefix === '@')) return new WeftError('TEMPLATE_ERROR', `${full} is not defined`);
  const parentPath = (prefix + parts.slice(0, at).join('.')).replace(/\.$/, '') || 'this';
  return new WeftError('TEMPLATE_ERROR', `${full} is not defined (${describe(parentPath, parent)})`);
}

function describe(parentPath: string, parent: unknown): string {
  if (parent === null || parent === undefined) return `${parentPath} is ${String(parent)}`;
  if (typeof parent !== 'object') return `${parentPath} is a ${typeof parent}`;
  const keys = Object.keys(parent);
  if (keys.length === 0) return `${parentPath} is empty`;
  const listed = keys.slice(0, MAX_LISTED_KEYS).join(', ');
  return `${parentPath} has ${listed}${keys.length > MAX_LISTED_KEYS ? ', …' : ''}`;
}
