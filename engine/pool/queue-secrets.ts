// Secrets on a queue: the coordinator renders templates with a placeholder for each secret, and
// the worker that runs the attempt puts its own environment's value in their place. No secret
// value is ever written to Redis, and the coordinator need not hold the secrets at all.
//
// A placeholder reaches the payload in the form the template gave it where it stood: as it is
// (text, a whole value, `{{{secrets.X}}}`, a quoted here-document), or escaped for a shell
// command: a quoted word, inside "…", inside '…', in a here-document. It holds ', " and $ on
// purpose, so each of those forms differs from the others, and the worker puts the value in,
// escaped the same way: exactly what rendering with the value would have given.
import { randomBytes } from 'node:crypto';
import { WeftError } from '../errors.js';
import { escapeForDoubleQuotes, escapeForHeredoc, escapeForSingleQuotes } from '../handlebars/format.js';
import { shellQuote } from '../handlebars/shell-quote.js';

const MARK = '@@weft-secret';

/** A fresh nonce per run, so no text a task produces can pose as a placeholder. */
export function newSecretNonce(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The placeholder standing for secret `name` in templates rendered on the coordinator.
 * @example secretPlaceholder('TOKEN', 'n0nce') // `@@weft-secret'TOKEN'"$n0nce@@`
 */
export function secretPlaceholder(name: string, nonce: string): string {
  return `${MARK}'${name}'"$${nonce}@@`;
}

// The forms a placeholder takes, each with how its value is escaped alike. The quoted word comes
// first: it holds the single-quote form inside it.
const FORMS: Array<(text: string) => string> = [shellQuote, escapeForDoubleQuotes, escapeForSingleQuotes, escapeForHeredoc, (text) => text];

/**
 * Placeholders for every name, as the run's `secrets` scope on the coordinator.
 * @example placeholdSecrets(['TOKEN'], nonce).TOKEN // "@@weft-secret'TOKEN'…@@"
 */
export function placeholdSecrets(names: Iterable<string>, nonce: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = secretPlaceholder(name, nonce);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replace placeholders in every string of `value` (keys too) with the secrets' values, each
 * escaped as its placeholder was (a quoted word, inside "…" or '…', a here-document, as it is). A placeholder a
 * helper has altered (sliced, upper-cased) can no longer be found whole: that is an error, not a
 * wrong value sent silently.
 * @example resolveSecrets({ command: "curl -H @@weft-secret'T'n@@" }, { T: 's3' }, 'n')
 */
export function resolveSecrets<T>(value: T, secrets: Record<string, string>, nonce: string): T {
  const n = escapeRegExp(nonce);
  const name = '([A-Za-z_][A-Za-z0-9_]*)';
  const sample = secretPlaceholder('NAME', nonce);
  const pattern = new RegExp(FORMS.map((form) => escapeRegExp(form(sample)).replace('NAME', name)).join('|'), 'g');
  // Case-insensitive: an upper-cased placeholder is still one, and must not pass as text.
  const leftover = new RegExp(`${escapeRegExp(MARK)}|${n}`, 'i');
  const replace = (text: string): string => {
    if (!leftover.test(text)) return text;
    const out = text.replace(pattern, (...match: unknown[]) => {
      const form = FORMS.findIndex((_, i) => match[i + 1] !== undefined);
      const secretName = match[form + 1] as string;
      const secret = secrets[secretName];
      if (secret === undefined) throw new WeftError('INPUT_INVALID', `secret ${secretName} is not set in this worker's environment`);
      return FORMS[form]!(secret);
    });
    if (leftover.test(out)) {
      throw new WeftError(
        'TEMPLATE_ERROR',
        'a secret was changed by a template helper before it reached the worker; on a queue, insert secrets as they are ({{secrets.X}})',
      );
    }
    return out;
  };
  return mapStrings(value, replace) as T;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, fn(key), { value: mapStrings(item, fn), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
