import { parseArgs } from 'node:util';
import { WeftError } from '../errors.js';
import { suggest } from '../suggest.js';

/**
 * One flag as `node:util` parseArgs takes it, plus `optionalValue` for a string flag whose value
 * may be left out (`--resume`, `--resume RUN`): left out, its value is `''`.
 */
export type FlagSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; optionalValue?: boolean };
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
  const options = { ...commonFlags, ...specs };
  try {
    const { values, positionals } = parseArgs({
      args: attachOptionalValues(argv, options),
      options: Object.fromEntries(Object.entries(options).map(([name, { optionalValue: _, ...spec }]) => [name, spec])),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as FlagValues, positionals };
  } catch (cause) {
    const message = shortenParseError(cause as Error & { code?: string }, Object.keys(options));
    throw new WeftError('USAGE', message, { cause });
  }
}

/**
 * parseArgs knows only required values, so an optional one is attached as `--name=VALUE`, or
 * `--name=` when left out. The next argument is the value when it is not a flag and a positional
 * came first: `weft run hello --resume RUN` resumes RUN, `weft run --resume hello` runs hello.
 */
function attachOptionalValues(argv: string[], specs: FlagSpecs): string[] {
  if (!Object.values(specs).some((s) => s.optionalValue)) return argv;
  const out: string[] = [];
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    out.push(arg);
    if (!arg.startsWith('-') || arg === '-') {
      positionals++;
      continue;
    }
    const spec = arg.startsWith('--')
      ? arg.includes('=') ? undefined : specs[arg.slice(2)]
      : arg.length === 2 ? Object.values(specs).find((s) => s.short === arg[1]) : undefined;
    if (spec?.optionalValue && arg.startsWith('--')) {
      const next = argv[i + 1];
      const takes = next !== undefined && !next.startsWith('-') && positionals > 0;
      out[out.length - 1] = `${arg}=${takes ? next : ''}`;
      if (takes) i++;
    } else if (spec?.type === 'string' && i + 1 < argv.length) {
      out.push(argv[++i]!);
    }
  }
  return out;
}

// Node's messages run to three sentences of advice; the first clause is what the user needs.
function shortenParseError(error: Error & { code?: string }, known: string[]): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const hint = flag.startsWith('--') ? suggest(flag.slice(2).split('=')[0]!, known, { minEdits: 1 }) : undefined;
    return `unknown flag ${flag}${hint ? ` (did you mean --${hint}?)` : ''}`;
  }
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
