// Anthropic SDK errors -> WeftError. The executor decides retryability here (retry is decided by the error, not the caller);
// the SDK's own retries are off (maxRetries: 0) so the engine's policy is the only one.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { WeftError, isWeftError, fromErrorData } from '../../engine/plugin.js';
import type { ErrorData } from '../../engine/plugin.js';

// Stable `error.details.error_code` values the API sends with a 429 (or 402) that waiting cannot cure.
const spendLimitCodes = new Set([
  'contract_spend_limit_reached',
  'enforced_spend_limit_reached',
  'linked_organization_spend_limit_reached',
]);

/**
 * True when a 429 means "out of money", not "too fast". Decided, in order, by the body's
 * `error.details.error_code` (contract_/enforced_spend_limit_reached, the stable signal), by an
 * `error.type` of `billing_error`, and, for older responses without either, by the message
 * naming a spend limit, usage limit, credit balance or billing.
 * @example isSpendLimit({ error: { type: 'rate_limit_error', message: 'You have reached your spend limit' } }) // true
 */
export function isSpendLimit(body: unknown): boolean {
  const error = (body as { error?: { type?: unknown; message?: unknown; details?: { error_code?: unknown } } } | undefined)?.error;
  if (!error) return false;
  if (typeof error.details?.error_code === 'string' && spendLimitCodes.has(error.details.error_code)) return true;
  if (error.type === 'billing_error') return true;
  return typeof error.message === 'string' && /spend limit|usage limit|credit balance|billing/i.test(error.message);
}

/**
 * Milliseconds the server asked us to wait: `retry-after-ms`, else `retry-after` (seconds or an HTTP date).
 * @example retryAfterOf(new Headers({ 'retry-after': '2' })) // 2000
 */
export function retryAfterOf(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Any failure of an Anthropic call as a WeftError with `retryable`, `status` and `retryAfterMs`.
 * An aborted signal wins over the error it caused: the engine's reason (timeout, cancel) is rethrown.
 * @example throw toLlmError(err, ctx.signal)
 */
export function toLlmError(error: unknown, signal?: AbortSignal): WeftError {
  if (signal?.aborted) return abortError(signal);
  if (error instanceof APIUserAbortError) return new WeftError('TASK_CANCELLED', 'the Anthropic request was cancelled');
  if (error instanceof APIConnectionTimeoutError) {
    return new WeftError('TASK_TIMEOUT', 'the Anthropic request timed out', { retryable: true, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new WeftError('NETWORK_ERROR', `cannot reach the Anthropic API: ${causeText(error)}`, { retryable: true });
  }
  if (error instanceof APIError && typeof error.status === 'number') return fromStatus(error.status, error.error, error.headers);
  if (isWeftError(error)) return error instanceof WeftError ? error : fromErrorData(error as ErrorData);
  return new WeftError('TASK_FAILED', error instanceof Error ? error.message : String(error));
}

/**
 * The WeftError for an HTTP status and an API error body; shared by direct calls and by
 * batch results (which carry the same body shape without a status).
 */
export function fromStatus(status: number, body: unknown, headers?: Headers): WeftError {
  const inner = (body as { error?: { type?: string; message?: string } } | undefined)?.error;
  const type = inner?.type ?? 'error';
  const detail = `Anthropic API ${status} ${type}: ${inner?.message ?? 'no message'}`;
  const retryAfterMs = retryAfterOf(headers);
  const base = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  // The server may say a retry cannot help (the SDK obeys this header too); it never makes a 4xx retryable.
  const retryable = headers?.get('x-should-retry') !== 'false';

  if (status === 429) {
    if (isSpendLimit(body)) {
      return new WeftError('RATE_LIMITED', `${detail} (a spend limit: retrying will not help; raise the limit or wait for the period to reset)`, base);
    }
    return new WeftError('RATE_LIMITED', detail, { ...base, retryable });
  }
  if (status === 529 || type === 'overloaded_error') return new WeftError('OVERLOADED', detail, { ...base, retryable });
  if (status >= 500 || status === 408) return new WeftError('HTTP_ERROR', detail, { ...base, retryable });
  if (status === 401) return new WeftError('HTTP_ERROR', `${detail} (check ANTHROPIC_API_KEY)`, base);
  return new WeftError('HTTP_ERROR', detail, base);
}

/** The error an aborted signal stands for: the engine's own reason when it gave one. */
export function abortError(signal: AbortSignal): WeftError {
  const reason: unknown = signal.reason;
  if (isWeftError(reason)) return reason instanceof WeftError ? reason : fromErrorData(reason as ErrorData);
  return new WeftError('TASK_CANCELLED', 'the llm task was cancelled');
}

// fetch's own message is only "fetch failed"; the reason (ECONNREFUSED, a reset) is deeper in the chain.
function causeText(error: Error): string {
  const messages: string[] = [];
  for (let e: unknown = (error as { cause?: unknown }).cause ?? error; e instanceof Error && messages.length < 4; e = e.cause) {
    messages.push(e.message);
  }
  return messages.join(': ') || error.message;
}
