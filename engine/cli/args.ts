import { parseArgs } from 'node:util';
import { WeftError } from '../errors.js';

/** One flag as `node:util` parseArgs takes it. */
export type FlagSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;
export type ParsedArgs = { values: FlagValues; positionals: string[] };

/** Flags every command understands. */
export const commonFlags: FlagSpecs = {
  help: { type: 'boolean', short: 'h' },
  dir: { type: 'string' },
  verbose: { type: 'boolean' },
};

/**
 * Strict parsing: an unknown flag or a missing value is a USAGE error (exit 2), never ignored.
 * @example parseFlags(['hello', '--json'], { json: { type: 'boolean' } })
 * // { values: { json: true }, positionals: ['hello'] }
 */
export function parseFlags(argv: string[], specs: FlagSpecs): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...commonFlags, ...specs },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as FlagValues, positionals };
  } catch (cause) {
    throw new WeftError('USAGE', shortenParseError(cause as Error & { code?: string }), { cause });
  }
}

// Node's messages run to three sentences of advice; the first clause is what the user needs.
function shortenParseError(error: Error & { code?: string }): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown flag ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) return `${flag.split(' ')[0]} needs a value`;
  return error.message.split('. ')[0] ?? error.message;
}

/** A string flag's value, or undefined. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A positive integer flag (`--concurrency 4`), or a USAGE error naming the flag. */
export function positiveIntFlag(values: FlagValues, name: string): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new WeftError('USAGE', `--${name} must be a positive integer, got "${raw}"`);
  }
  return n;
}
