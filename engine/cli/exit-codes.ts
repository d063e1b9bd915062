import { ERROR_CODES, type WeftErrorCode } from '../errors.js';

/** weft's exit codes (docs/cli.md). 70 is sysexits' EX_SOFTWARE: a bug in weft, not in the pipeline. */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  internal: 70,
  sigint: 130,
  sigterm: 143,
} as const;

/**
 * Exit code for a WeftError that escaped a command: 2 for what the user must fix, 1 otherwise.
 * @example exitCodeForError('GRAPH_CYCLE') // 2
 */
export function exitCodeForError(code: WeftErrorCode): number {
  return ERROR_CODES[code] === 'user' ? EXIT.usage : EXIT.taskFailed;
}
