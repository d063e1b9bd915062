import { WeftError } from '../../errors.js';

/** The single `<pipeline>` argument of a command, or a USAGE error. */
export function requireOne(positionals: string[], command: string): string {
  if (positionals.length === 1) return positionals[0]!;
  const problem = positionals.length === 0 ? 'needs a pipeline' : `takes one pipeline, got ${positionals.length}`;
  throw new WeftError('USAGE', `weft ${command} ${problem}`);
}
