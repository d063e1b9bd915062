// `uses: http`: one request with fetch; the status decides success and retryability.
import { WeftError } from '../engine/plugin.js';
import type { Executor } from '../engine/plugin.js';
import { parseRetryAfter } from './http/retry-after.js';
import { checkScheme, readBody } from './http/read-body.js';

export type HttpWith = {
  url: string;
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  headers?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string | number | boolean>;
  expectStatus?: number | number[];
  maxBytes?: number;
};

const defaultMaxBytes = 1024 * 1024;

export type HttpOutput = { status: number; headers: Record<string, string>; body: unknown };

/**
 * Sends the request with the task's signal. Output `{ status, headers, body }`, body parsed
 * when the response says JSON. An unexpected status fails with its `status`: 429 is
 * RATE_LIMITED with `retryAfterMs`, 5xx and 408 are retryable HTTP_ERRORs, other 4xx are
 * not; a refused or reset connection is a retryable NETWORK_ERROR.
 * @example
 * // with: { url: "http://127.0.0.1:8080/items", method: POST, body: { name: "a" }, expectStatus: 201 }
 */
export const http: Executor<HttpWith, HttpOutput> = {
  description: 'Send an HTTP request; output { status, headers, body }',
  outputFields: ['status', 'headers', 'body'],
  // A socket: sent from the main thread, no worker hop (engine/pool/inline.ts).
  inline: 'always',
  // No process of its own: a run of such tasks forks no watchdog.
  startsProcesses: false,
  // fetch's client (undici) loads on the first call; this makes that happen while the pool warms.
  async warmUp() {
    await fetch('data:,');
  },
  schema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'Absolute http(s) URL' },
      method: {
        type: 'string',
        enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        default: 'GET',
        description: 'Request method',
      },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers' },
      body: { description: 'Request body: a string is sent as is, anything else as JSON (content-type application/json)' },
      query: {
        type: 'object',
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
        description: 'Query parameters appended to the URL',
      },
      expectStatus: {
        oneOf: [
          { type: 'integer', minimum: 100, maximum: 599 },
          { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
        ],
        description: 'Status (or statuses) that count as success (default: any 2xx)',
      },
      maxBytes: {
        type: 'integer',
        minimum: 0,
        default: defaultMaxBytes,
        description: 'Bytes of the response body kept in the output; the rest is not downloaded and a truncation marker ends the body',
      },
    },
  },
  async run(w, ctx) {
    const url = buildUrl(w.url, w.query);
    const method = w.method ?? 'GET';
    // Only origin and path in messages: query strings often carry keys.
    const where = `${method} ${url.origin}${url.pathname}`;
    const headers = new Headers(w.headers);
    let body: string | undefined;
    if (w.body !== undefined) {
      body = typeof w.body === 'string' ? w.body : JSON.stringify(w.body);
      if (typeof w.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    }

    let response: Response;
    let text: string;
    let truncated: boolean;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined && { body }), signal: ctx.signal });
      ({ text, truncated } = await readBody(response, w.maxBytes ?? defaultMaxBytes));
    } catch (cause) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw networkError(where, cause);
    }

    const { status } = response;
    if (!isExpected(status, w.expectStatus)) throw statusError(where, response);
    return { status, headers: Object.fromEntries(response.headers), body: parseBody(text, truncated, response.headers.get('content-type'), where) };
  },
};

function buildUrl(raw: string, query: HttpWith['query']): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new WeftError('TASK_FAILED', `invalid url: ${raw}`, { cause });
  }
  checkScheme(url);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.append(key, String(value));
  return url;
}

function isExpected(status: number, expect: HttpWith['expectStatus']): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

function statusError(where: string, response: Response): WeftError {
  const { status } = response;
  const message = `${where} returned ${status}`;
  if (status === 429) {
    return new WeftError('RATE_LIMITED', message, { status, retryable: true, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
  }
  return new WeftError('HTTP_ERROR', message, { status, retryable: status >= 500 || status === 408 });
}

// fetch wraps socket failures in a TypeError("fetch failed") whose cause says what happened.
function networkError(where: string, cause: unknown): WeftError {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof inner?.code === 'string' ? inner.code : undefined;
  const why = typeof inner?.message === 'string' && inner.message !== '' ? inner.message : undefined;
  const detail = [code, why].filter(Boolean).join(': ') || ((cause as Error)?.message ?? String(cause));
  return new WeftError('NETWORK_ERROR', `${where} failed: ${detail}`, { retryable: true, cause });
}

function parseBody(text: string, truncated: boolean, contentType: string | null, where: string): unknown {
  if (!contentType || !/[/+]json\b/i.test(contentType) || text === '') return text;
  if (truncated) throw new WeftError('OUTPUT_INVALID', `${where} sent JSON longer than maxBytes; it was truncated`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WeftError('OUTPUT_INVALID', `${where} sent invalid JSON: ${(cause as Error).message}`, { cause });
  }
}
