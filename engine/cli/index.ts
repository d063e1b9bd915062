import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WeftError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { EXIT } from './exit-codes.js';
import { createPrinter, type CliIo } from './io.js';
import { reportError } from './report-error.js';
import { suggest } from '../suggest.js';

export type { CliIo, OutputStream, TerminationSignal } from './io.js';
export type { Command } from './command.js';
export { writeUntilClosed } from './closable-output.js';

/**
 * weft's command line as a function: parse `argv`, run the command, return the exit code.
 * Writes only to `io.stdout` / `io.stderr`; never exits the process (bin/weft.js does).
 * @example
 * let out = '';
 * const code = await cli(['plan', 'hello', '--json'], {
 *   stdout: { write: (s: string) => (out += s) }, stderr: process.stderr, env: {}, cwd: '/repo',
 * });
 */
export async function cli(argv: string[], io: CliIo): Promise<number> {
  const print = createPrinter(io);
  const verbose = argv.includes('--verbose');
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-v') {
      print.out(readVersion());
      return EXIT.ok;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      print.out(topic ? (await findCommand(topic)).usage : topLevelHelp());
      return EXIT.ok;
    }
    if (first === '__complete') return await printCompletions(rest, io);
    if (first.startsWith('-')) throw new WeftError('USAGE', `expected a command before ${first}`);
    const command = await findCommand(first);
    const args = parseFlags(rest, command.flags);
    if (args.values.help) {
      print.out(command.usage);
      return EXIT.ok;
    }
    const dir = typeof args.values.dir === 'string' ? path.resolve(io.cwd, args.values.dir) : undefined;
    return await command.run(args, { io, print, cwd: io.cwd, dir, verbose });
  } catch (error) {
    return reportError(error, io, print, verbose);
  }
}

// `weft __complete WORD…`, called by the scripts of `weft completion`: never an error, since a
// half-typed command line is the normal case.
async function printCompletions(words: string[], io: CliIo): Promise<number> {
  const dirAt = words.indexOf('--dir');
  const dir = dirAt >= 0 && dirAt + 1 < words.length - 1 ? path.resolve(io.cwd, words[dirAt + 1]!) : undefined;
  try {
    // Imported here: it reads pipelines, which --version and --help never load.
    const { completeWords } = await import('./complete.js');
    for (const candidate of await completeWords(words, { cwd: io.cwd, dir }, commands)) io.stdout.write(`${candidate}\n`);
  } catch {
    // Nothing to offer: the shell falls back to file names.
  }
  return EXIT.ok;
}

function findCommand(name: string): Promise<Command> {
  const command = commands.find((c) => c.name === name);
  if (command) return command.load();
  const hint = suggest(name, commands.map((c) => c.name), { minEdits: 1 });
  throw new WeftError('USAGE', `unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
}

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `weft ${readVersion()}: a declarative, YAML-driven task runner

Usage: weft <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options for every command:
  --dir DIR    the pipelines folder (default: pipelinesDir from weft.config.yaml, else ./pipelines)
  --verbose    show stacks for internal errors
  -h, --help   help for weft or for a command ("weft run --help")
  -v, --version

<pipeline> is a name (pipelines/<name>.yaml) or a path to a file.
Exit codes: 0 ok, 1 a task failed, 2 invalid pipeline, bad flag or unknown name, 130/143 interrupted.`;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
