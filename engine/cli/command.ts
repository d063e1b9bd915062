import type { FlagSpecs, ParsedArgs } from './args.js';
import type { CliIo, Printer } from './io.js';

/** What a command gets: the parsed flags, the io, and a line printer over it. */
export type CommandContext = { io: CliIo; print: Printer; cwd: string; dir?: string | undefined; verbose: boolean };

/**
 * One `weft <name>` command. Adding a command is one file exporting a Command and one line in
 * commands/index.ts.
 * @example
 * export const hello: Command = {
 *   name: 'hello', summary: 'say hello', usage: 'weft hello', flags: {},
 *   async run(_args, { print }) { print.out('hello'); return 0; },
 * };
 */
export interface Command {
  name: string;
  /** One line in the top-level help. */
  summary: string;
  /** The command's own `--help` text. */
  usage: string;
  flags: FlagSpecs;
  /** Returns the exit code; throws WeftErrors for user errors (reported by cli()). */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}
