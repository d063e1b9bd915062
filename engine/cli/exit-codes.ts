import type { WeftErrorCode } from '../errors.js';

/** weft's exit codes (docs/cli.md). 70 is sysexits' EX_SOFTWARE: a bug in weft, not in the pipeline. */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  internal: 70,
  sigint: 130,
  sigterm: 143,
} as const;

// Errors the user fixes by editing the pipeline, the command line or the environment: exit 2.
const userErrorCodes: ReadonlySet<WeftErrorCode> = new Set<WeftErrorCode>([
  'USAGE',
  'PIPELINE_NOT_FOUND',
  'YAML_SYNTAX',
  'YAML_FORBIDDEN_KEY',
  'YAML_TOO_COMPLEX',
  'PIPELINE_INVALID',
  'UNKNOWN_KEY',
  'UNKNOWN_NEED',
  'DUPLICATE_ID',
  'GRAPH_CYCLE',
  'UNKNOWN_EXECUTOR',
  'UNKNOWN_POOL',
  'UNKNOWN_MODEL',
  'BAD_DURATION',
  'TEMPLATE_SYNTAX',
  'UNKNOWN_HELPER',
  'TEMPLATE_RACE',
  'TEMPLATE_CYCLE',
  'INPUT_INVALID',
  'CONFIG_INVALID',
  'PLUGIN_INVALID',
  'MISSING_API_KEY',
]);

/**
 * Exit code for a WeftError that escaped a command: 2 for what the user must fix, 1 otherwise.
 * @example exitCodeForError('GRAPH_CYCLE') // 2
 */
export function exitCodeForError(code: WeftErrorCode): number {
  return userErrorCodes.has(code) ? EXIT.usage : EXIT.taskFailed;
}
