import type { ErrorData, SourcePos } from './types.js';

/** Stable error codes. Tests and callers match on these, never on message text. */
export type WeftErrorCode =
  // loading and validation
  | 'USAGE'
  | 'PIPELINE_NOT_FOUND'
  | 'YAML_SYNTAX'
  | 'YAML_FORBIDDEN_KEY'
  | 'YAML_TOO_COMPLEX'
  | 'PIPELINE_INVALID'
  | 'UNKNOWN_KEY'
  | 'UNKNOWN_NEED'
  | 'DUPLICATE_ID'
  | 'GRAPH_CYCLE'
  | 'UNKNOWN_EXECUTOR'
  | 'UNKNOWN_POOL'
  | 'UNKNOWN_MODEL'
  | 'BAD_DURATION'
  | 'TEMPLATE_SYNTAX'
  | 'UNKNOWN_HELPER'
  | 'TEMPLATE_RACE'
  | 'TEMPLATE_CYCLE'
  | 'INPUT_INVALID'
  | 'CONFIG_INVALID'
  | 'PLUGIN_INVALID'
  // running
  | 'TASK_FAILED'
  | 'TASK_TIMEOUT'
  | 'TASK_CANCELLED'
  | 'TEMPLATE_ERROR'
  | 'CIRCUIT_OPEN'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'OUTPUT_INVALID'
  | 'CONTEXT_TOO_LARGE'
  | 'BUDGET_EXCEEDED'
  | 'MISSING_API_KEY'
  | 'INTERNAL';

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
      retryable?: boolean;
      retryAfterMs?: number;
      status?: number;
      pos?: SourcePos;
      problems?: import('./types.js').Problem[];
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
