import type { ErrorData, SourcePos } from './types.js';

/**
 * weft's stable error codes, the one list: tests and callers match on these, never on message
 * text. `user` codes are problems the user fixes by editing the pipeline, the command line or
 * the environment (exit 2); `run` codes are what a run meets (exit 1).
 */
export const ERROR_CODES = {
  // loading and validation
  USAGE: 'user',
  PIPELINE_NOT_FOUND: 'user',
  YAML_SYNTAX: 'user',
  YAML_FORBIDDEN_KEY: 'user',
  YAML_TOO_COMPLEX: 'user',
  PIPELINE_INVALID: 'user',
  UNKNOWN_KEY: 'user',
  UNKNOWN_NEED: 'user',
  DUPLICATE_ID: 'user',
  GRAPH_CYCLE: 'user',
  UNKNOWN_EXECUTOR: 'user',
  UNKNOWN_POOL: 'user',
  UNKNOWN_MODEL: 'user',
  BAD_DURATION: 'user',
  TEMPLATE_SYNTAX: 'user',
  UNKNOWN_HELPER: 'user',
  TEMPLATE_RACE: 'user',
  UNKNOWN_REFERENCE: 'user',
  TEMPLATE_CYCLE: 'user',
  INPUT_INVALID: 'user',
  CONFIG_INVALID: 'user',
  PLUGIN_INVALID: 'user',
  MISSING_API_KEY: 'user',
  // Redis not reachable when a run or a worker starts: the address or the server is to fix.
  QUEUE_UNREACHABLE: 'user',
  // running
  TASK_FAILED: 'run',
  TASK_TIMEOUT: 'run',
  TASK_CANCELLED: 'run',
  TEMPLATE_ERROR: 'run',
  CIRCUIT_OPEN: 'run',
  HTTP_ERROR: 'run',
  NETWORK_ERROR: 'run',
  RATE_LIMITED: 'run',
  OVERLOADED: 'run',
  OUTPUT_INVALID: 'run',
  CONTEXT_TOO_LARGE: 'run',
  BUDGET_EXCEEDED: 'run',
  // running on a queue (engine/pool/queue*.ts)
  WORKER_LOST: 'run',
  NO_WORKER: 'run',
  PAYLOAD_TOO_LARGE: 'run',
  // a chained call its thread never started (engine/pool/isolated.ts): scheduled again, never reported
  NOT_STARTED: 'run',
  INTERNAL: 'run',
} as const satisfies Record<string, 'user' | 'run'>;

export type WeftErrorCode = keyof typeof ERROR_CODES;

/** True when `code` is one of weft's stable error codes. */
export function isWeftErrorCode(code: unknown): code is WeftErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * weft's one error class. Everything a caller decides on is a plain field, so an error
 * survives structured clone across the worker boundary (see toErrorData / fromErrorData).
 * @example
 * throw new WeftError('TASK_TIMEOUT', 'build timed out after 30s', { retryable: true });
 */
export class WeftError extends Error {
  readonly code: WeftErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly pos?: SourcePos;
  readonly problems?: import('./types.js').Problem[];

  constructor(
    code: WeftErrorCode,
    message: string,
    options: {
      retryable?: boolean | undefined;
      retryAfterMs?: number | undefined;
      status?: number | undefined;
      pos?: SourcePos | undefined;
      problems?: import('./types.js').Problem[] | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
    if (options.pos) this.pos = options.pos;
    if (options.problems) this.problems = options.problems;
  }
}

/** True for a WeftError or anything shaped like one (instanceof fails across threads). */
export function isWeftError(value: unknown): value is WeftError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Plain data for reports, events and the thread boundary. Unknown throwables become INTERNAL. */
export function toErrorData(error: unknown, fallback: WeftErrorCode = 'TASK_FAILED'): ErrorData {
  if (isWeftError(error)) {
    const data: ErrorData = { code: error.code as WeftErrorCode, message: error.message };
    const e = error as Partial<WeftError>;
    if (e.retryable) data.retryable = true;
    if (typeof e.retryAfterMs === 'number') data.retryAfterMs = e.retryAfterMs;
    if (typeof e.status === 'number') data.status = e.status;
    return data;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message };
}

/** Rebuild a WeftError on the main side from data that crossed a thread. */
export function fromErrorData(data: ErrorData): WeftError {
  return new WeftError(data.code, data.message, {
    retryable: data.retryable,
    retryAfterMs: data.retryAfterMs,
    status: data.status,
  });
}

/** `FILE:LINE:COL: message`, the one format every user-facing problem is printed in. */
export function formatProblem(p: { file: string; line: number; col: number; message: string }): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}
