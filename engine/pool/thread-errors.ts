// Errors as they cross the worker boundary: anything an executor throws becomes ErrorData with
// a code weft knows, and an abort reason becomes the cancellation or timeout it stands for.
import { isWeftErrorCode, type WeftErrorCode } from '../errors.js';
import type { ErrorData } from '../types.js';

/**
 * Plain data for anything an executor throws. A weft code is kept; a foreign code (`ENOENT`,
 * `E_MINE`) becomes TASK_FAILED and is kept at the end of the message as `[code E_MINE]`.
 * `retryable`, `retryAfterMs` and `status` are read as plain fields, never via instanceof.
 * An error that does not say `retryable` and has no weft code is retryable: nothing marked it
 * permanent.
 * @example errorToData(Object.assign(new Error('x'), { code: 'E_MINE', retryable: true }))
 * // { code: 'TASK_FAILED', message: 'x [code E_MINE]', retryable: true }
 */
export function errorToData(error: unknown): ErrorData {
  if (typeof error !== 'object' || error === null) return { code: 'TASK_FAILED', message: String(error), retryable: true };
  const e = error as { code?: unknown; message?: unknown; retryable?: unknown; retryAfterMs?: unknown; status?: unknown };
  let message = typeof e.message === 'string' ? e.message : String(error);
  let code: WeftErrorCode = 'TASK_FAILED';
  if (isWeftErrorCode(e.code)) code = e.code;
  else if (typeof e.code === 'string' || typeof e.code === 'number') message = `${message} [code ${e.code}]`;
  const data: ErrorData = { code, message };
  if (e.retryable === true) data.retryable = true;
  // A failure nobody classified (a plain throw in a node task): not known permanent, so a task
  // that asked for retries gets them. `retryable: false` on the error says otherwise.
  else if (e.retryable === undefined && !isWeftErrorCode(e.code)) data.retryable = true;
  if (typeof e.retryAfterMs === 'number') data.retryAfterMs = e.retryAfterMs;
  if (typeof e.status === 'number') data.status = e.status;
  return data;
}

/**
 * What an aborted task fails with, read from the signal's `reason`:
 * a WeftError (or anything with a weft `code`) is used as it is; the string `'TASK_TIMEOUT'` or
 * a DOMException named `TimeoutError` (AbortSignal.timeout) is a retryable TASK_TIMEOUT;
 * anything else is TASK_CANCELLED, not retryable.
 * @example controller.abort(new WeftError('TASK_TIMEOUT', 'build timed out after 30s', { retryable: true }))
 */
export function abortReasonToData(reason: unknown): ErrorData {
  if (typeof reason === 'object' && reason !== null && isWeftErrorCode((reason as { code?: unknown }).code)) {
    return errorToData(reason);
  }
  if (reason === 'TASK_TIMEOUT' || (reason as { name?: unknown } | null)?.name === 'TimeoutError') {
    return { code: 'TASK_TIMEOUT', message: 'timed out', retryable: true };
  }
  if (reason === 'TASK_CANCELLED' || reason === undefined || (reason as { name?: unknown } | null)?.name === 'AbortError') {
    return { code: 'TASK_CANCELLED', message: 'cancelled' };
  }
  return { code: 'TASK_CANCELLED', message: `cancelled: ${reason instanceof Error ? reason.message : String(reason)}` };
}
