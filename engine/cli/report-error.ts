import { formatProblem, isWeftError, type WeftError } from '../errors.js';
import type { Problem } from '../types.js';
import { displayPath } from './display-path.js';
import { EXIT, exitCodeForError } from './exit-codes.js';
import type { CliIo, Printer } from './io.js';

/**
 * Print what went wrong and choose the exit code. User errors get their message (and every
 * problem, `FILE:LINE:COL: message`) and never a stack; anything else is a bug in weft: one
 * line and exit 70, the stack only with `--verbose`.
 */
export function reportError(error: unknown, io: CliIo, print: Printer, verbose: boolean): number {
  if (isWeftError(error)) {
    const e = error as WeftError;
    if (e.problems?.length) {
      for (const line of formatProblems(e.problems, io.cwd)) print.err(line);
    } else {
      print.err(`weft: ${e.message}`);
    }
    if (e.code === 'USAGE') print.err('Run "weft --help" for usage.');
    if (verbose && e.stack) print.err(e.stack);
    return exitCodeForError(e.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  print.err(`weft: internal error: ${message}${verbose ? '' : ' (run with --verbose for details)'}`);
  if (verbose && error instanceof Error && error.stack) print.err(error.stack);
  return EXIT.internal;
}

/**
 * One line per problem, paths relative to cwd. A problem without a position (a missing file)
 * has no useful `:0:0`, so it prints as `FILE: message` or just the message.
 * @example formatProblems([{ file: '/r/p.yaml', line: 3, col: 5, code: 'UNKNOWN_NEED', message: 'x' }], '/r')
 * // ['p.yaml:3:5: x']
 */
export function formatProblems(problems: Problem[], cwd: string): string[] {
  return problems.map((p) => {
    const file = displayPath(p.file, cwd);
    if (p.line >= 1) return formatProblem({ ...p, file });
    return file ? `${file}: ${p.message}` : `weft: ${p.message}`;
  });
}
