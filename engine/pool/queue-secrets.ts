// Secrets on a queue: the coordinator renders templates with a placeholder for each secret, and
// the worker that runs the attempt puts its own environment's value in their place. No secret
// value is ever written to Redis, and the coordinator need not hold the secrets at all.
//
// A placeholder reaches the payload in one of two forms: as it is (`{{secrets.X}}` in text, a
// whole value, `{{{secrets.X}}}` in a shell command) or shell-quoted (`{{secrets.X}}` in a shell
// command). It contains a single quote on purpose: shellQuote() then escapes it as '\'', so the
// quoted form can be told from the plain one and gets the value shell-quoted in turn, exactly
// what rendering with the value would have given.
import { randomBytes } from 'node:crypto';
import { WeftError } from '../errors.js';
import { shellQuote } from '../handlebars/shell-quote.js';

const MARK = '@@weft-secret';

/** A fresh nonce per run, so no text a task produces can pose as a placeholder. */
export function newSecretNonce(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The placeholder standing for secret `name` in templates rendered on the coordinator.
 * @example secretPlaceholder('TOKEN', 'n0nce') // "@@weft-secret'TOKEN'n0nce@@"
 */
export function secretPlaceholder(name: string, nonce: string): string {
  return `${MARK}'${name}'${nonce}@@`;
}

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
 * Replace placeholders in every string of `value` (keys too) with the secrets' values: the
 * shell-quoted form by the shell-quoted value, the plain form by the value. A placeholder a
 * helper has altered (sliced, upper-cased) can no longer be found whole: that is an error, not a
 * wrong value sent silently.
 * @example resolveSecrets({ command: "curl -H @@weft-secret'T'n@@" }, { T: 's3' }, 'n')
 */
export function resolveSecrets<T>(value: T, secrets: Record<string, string>, nonce: string): T {
  const n = escapeRegExp(nonce);
  const quoted = escapeRegExp(shellQuote(`${MARK}'X'${nonce}@@`)).replace("'X'", "'([^']+)'");
  const pattern = new RegExp(`${quoted}|${escapeRegExp(MARK)}'([^']+)'${n}@@`, 'g');
  // Case-insensitive: an upper-cased placeholder is still one, and must not pass as text.
  const leftover = new RegExp(`${escapeRegExp(MARK)}|${n}`, 'i');
  const replace = (text: string): string => {
    if (!leftover.test(text)) return text;
    const out = text.replace(pattern, (_, quotedName: string | undefined, plainName: string | undefined) => {
      const name = (quotedName ?? plainName)!;
      const secret = secrets[name];
      if (secret === undefined) throw new WeftError('INPUT_INVALID', `secret ${name} is not set in this worker's environment`);
      return quotedName !== undefined ? shellQuote(secret) : secret;
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
