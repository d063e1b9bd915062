// A fake Anthropic Messages API on 127.0.0.1, for tests and the bench: the real SDK talks to it
// through `baseURL`, so requests, headers, errors and batches go over real HTTP and nothing
// leaves the machine. It answers like the API: same paths, same JSON and error shapes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of a POST /v1/messages, as far as the fake reads it. */
export type FakeMessagesRequest = {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: 'text'; text: string; cache_control?: unknown }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<{ type: string; text?: string }> }>;
  stop_sequences?: string[];
  stream?: boolean;
  [key: string]: unknown;
};

/** A scripted failure, answered in the API's error shape `{ type: 'error', error: { type, message } }`. */
export type FakeFailure = {
  status: number;
  /** `error.type`; by default the one the API uses for the status. */
  type?: string;
  message?: string;
  /** `error.details.error_code`, e.g. `enforced_spend_limit_reached`. */
  errorCode?: string;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms`. */
  retryAfterMs?: number;
  headers?: Record<string, string>;
};

/** What a responder returns: an answer (text and optional overrides) or a failure. */
export type FakeReply = {
  text?: string;
  stopReason?: string;
  usage?: Partial<FakeUsage>;
  latencyMs?: number;
  error?: FakeFailure;
};

export type FakeUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
};

/** Decides the answer to one message request; a string is the answer's text. */
export type Responder = (
  body: FakeMessagesRequest,
  info: { index: number; path: string },
) => FakeReply | string | undefined | Promise<FakeReply | string | undefined>;

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  at: number;
};

export type FakeOptions = {
  /** The key accepted as `x-api-key` or `Authorization: Bearer` (default `test-key`). */
  apiKey?: string;
  /** Delay before every /v1/messages answer. */
  latencyMs?: number;
  respond?: Responder;
  /** Served, in order, to the first /v1/messages requests instead of an answer. */
  failures?: FakeFailure[];
  /**
   * Enforce a limit: beyond `requests` per `per` (default second) a 429 with retry-after-ms.
   * Also sends `anthropic-ratelimit-*` headers; `tokens` adds the token limit to them.
   */
  rateLimit?: { requests: number; per?: 'second' | 'minute'; tokens?: number };
  /** How long a batch stays `in_progress` (default 50 ms). */
  batchDelayMs?: number;
  /** The API does not promise result order; `reversed` proves a client maps by custom_id. */
  batchOrder?: 'submitted' | 'reversed';
  /** When false, count_tokens answers 404 (as a proxy without it would). */
  countTokens?: boolean;
};

export type FakeBatch = {
  id: string;
  requests: Array<{ custom_id: string; params: FakeMessagesRequest }>;
  status: 'in_progress' | 'canceling' | 'ended';
  results: Array<{ custom_id: string; result: unknown }>;
  canceled: boolean;
  createdAt: string;
  endedAt: string | null;
};

export type FakeAnthropic = {
  /** Base URL for the SDK's `baseURL`. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Bodies of POST /v1/messages only. */
  messageRequests(): RecordedRequest[];
  /** POST /v1/messages per model id. */
  countsByModel: Record<string, number>;
  batches: Map<string, FakeBatch>;
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Message requests whose client went away before the answer. */
  readonly abandoned: number;
  /** Replace the responder. */
  respond(fn: Responder): void;
  /** Queue a failure for the next `times` message requests. */
  fail(failure: FakeFailure, times?: number): void;
  /** Forget recorded requests and counters (not the responder or limits). */
  reset(): void;
  close(): Promise<void>;
};

const defaultErrorType: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The default answer: deterministic from the last user message, so tests can tell answers apart. */
export function echoText(body: FakeMessagesRequest): string {
  return `echo: ${lastUserText(body)}`;
}

export function lastUserText(body: FakeMessagesRequest): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('');
}

const tokensOf = (text: string) => Math.ceil(text.length / 4);

/**
 * Start the fake on 127.0.0.1 with an OS-chosen port.
 * @example
 * const fake = await startFakeAnthropic({ respond: (body) => `hi ${body.model}` });
 * const client = new Anthropic({ apiKey: 'test-key', baseURL: fake.url, maxRetries: 0 });
 * await fake.close();
 */
export async function startFakeAnthropic(options: FakeOptions = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? 'test-key';
  let responder: Responder = options.respond ?? (() => undefined);
  const failures: FakeFailure[] = [...(options.failures ?? [])];
  const requests: RecordedRequest[] = [];
  const countsByModel: Record<string, number> = {};
  const batches = new Map<string, FakeBatch>();
  const timers = new Set<NodeJS.Timeout>();
  const windowMs = options.rateLimit?.per === 'minute' ? 60_000 : 1000;
  const accepted: Array<{ at: number; tokens: number }> = [];
  const cachedPrefixes = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  let abandoned = 0;
  let messageIndex = 0;
  let ids = 0;
  let url = '';

  function later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${++ids}`, ...headers });
    res.end(JSON.stringify(body));
  }

  function sendError(res: ServerResponse, failure: FakeFailure): void {
    const type = failure.type ?? defaultErrorType[failure.status] ?? 'api_error';
    const error: Record<string, unknown> = { type, message: failure.message ?? `fake ${type}` };
    if (failure.errorCode) error.details = { error_code: failure.errorCode };
    const headers: Record<string, string> = { ...failure.headers };
    if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    if (failure.retryAfterMs !== undefined) headers['retry-after-ms'] = String(failure.retryAfterMs);
    send(res, failure.status, { type: 'error', error }, headers);
  }

  function authorized(req: IncomingMessage): boolean {
    return req.headers['x-api-key'] === apiKey || req.headers.authorization === `Bearer ${apiKey}`;
  }

  // Sliding window over accepted message requests; returns the wait when the limit is reached.
  function overLimit(now: number): number | undefined {
    const limit = options.rateLimit;
    if (!limit) return undefined;
    while (accepted.length && accepted[0]!.at <= now - windowMs) accepted.shift();
    if (accepted.length < limit.requests) return undefined;
    return Math.max(1, accepted[0]!.at + windowMs - now);
  }

  function limitHeaders(): Record<string, string> {
    const limit = options.rateLimit;
    if (!limit) return {};
    const usedTokens = accepted.reduce((sum, a) => sum + a.tokens, 0);
    const headers: Record<string, string> = {
      'anthropic-ratelimit-requests-limit': String(limit.requests),
      'anthropic-ratelimit-requests-remaining': String(Math.max(0, limit.requests - accepted.length)),
    };
    if (limit.tokens) {
      headers['anthropic-ratelimit-tokens-limit'] = String(limit.tokens);
      headers['anthropic-ratelimit-tokens-remaining'] = String(Math.max(0, limit.tokens - usedTokens));
    }
    return headers;
  }

  // Prompt caching as the API does it: the prefix up to a cache_control block is written once, then read.
  function usageFor(body: FakeMessagesRequest, text: string): FakeUsage {
    const system = typeof body.system === 'string' ? [{ type: 'text' as const, text: body.system }] : (body.system ?? []);
    let marked = -1;
    system.forEach((b, i) => {
      if (b.cache_control !== undefined) marked = i;
    });
    const prefix = marked >= 0 ? system.slice(0, marked + 1).map((b) => b.text).join('') : '';
    const rest = system.slice(marked + 1).map((b) => b.text).join('') + body.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('');
    const prefixTokens = tokensOf(prefix);
    const seen = cachedPrefixes.has(`${body.model}\n${prefix}`);
    if (prefix) cachedPrefixes.add(`${body.model}\n${prefix}`);
    return {
      input_tokens: tokensOf(rest),
      output_tokens: Math.max(1, tokensOf(text)),
      cache_read_input_tokens: prefix && seen ? prefixTokens : 0,
      cache_creation_input_tokens: prefix && !seen ? prefixTokens : 0,
    };
  }

  async function answerOf(body: FakeMessagesRequest, path: string): Promise<{ message?: Record<string, unknown>; failure?: FakeFailure; latencyMs: number }> {
    const reply = await responder(body, { index: messageIndex++, path });
    const r: FakeReply = typeof reply === 'string' ? { text: reply } : (reply ?? {});
    const latencyMs = r.latencyMs ?? options.latencyMs ?? 0;
    if (r.error) return { failure: r.error, latencyMs };
    let text = r.text ?? echoText(body);
    let stopReason = r.stopReason ?? 'end_turn';
    let stopSequence: string | null = null;
    for (const stop of body.stop_sequences ?? []) {
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at);
        stopReason = 'stop_sequence';
        stopSequence = stop;
      }
    }
    if (tokensOf(text) > body.max_tokens) {
      text = text.slice(0, body.max_tokens * 4);
      stopReason = 'max_tokens';
    }
    const usage = { ...usageFor(body, text), ...r.usage };
    const message = {
      id: `msg_fake_${++ids}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text }],
      stop_reason: stopReason,
      stop_sequence: stopSequence,
      usage,
    };
    return { message, latencyMs };
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, body: FakeMessagesRequest): Promise<void> {
    countsByModel[body.model] = (countsByModel[body.model] ?? 0) + 1;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) inFlight--;
      done = true;
    };
    res.on('close', () => {
      if (!res.writableFinished && !done) abandoned++;
      finish();
    });
    const scripted = failures.shift();
    const { message, failure, latencyMs } = scripted ? { failure: scripted, latencyMs: options.latencyMs ?? 0 } : await answerOf(body, '/v1/messages');
    const reply = () => {
      if (done) return;
      if (failure) return sendError(res, failure);
      const wait = overLimit(Date.now());
      if (wait !== undefined) {
        return sendError(res, { status: 429, message: 'fake: requests per window exceeded', retryAfterMs: wait, retryAfter: Math.ceil(wait / 1000), headers: limitHeaders() });
      }
      const usage = message!.usage as FakeUsage;
      accepted.push({ at: Date.now(), tokens: usage.input_tokens + usage.output_tokens });
      if (body.stream) return streamMessage(res, message!, limitHeaders());
      send(res, 200, message, limitHeaders());
    };
    if (latencyMs > 0) {
      const timer = later(latencyMs, reply);
      res.on('close', () => clearTimeout(timer));
    } else reply();
  }

  function streamMessage(res: ServerResponse, message: Record<string, unknown>, headers: Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    const event = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const usage = message.usage as FakeUsage;
    const text = (message.content as Array<{ text: string }>)[0]!.text;
    event('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 0 } } });
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    for (let i = 0; i < text.length; i += 16) {
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(i, i + 16) } });
    }
    event('content_block_stop', { type: 'content_block_stop', index: 0 });
    event('message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: { output_tokens: usage.output_tokens } });
    event('message_stop', { type: 'message_stop' });
    res.end();
  }

  function batchJson(batch: FakeBatch): Record<string, unknown> {
    const count = (type: string) => batch.results.filter((r) => (r.result as { type: string }).type === type).length;
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.status,
      request_counts: {
        processing: batch.status === 'ended' ? 0 : batch.requests.length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: count('canceled'),
        expired: count('expired'),
      },
      created_at: batch.createdAt,
      ended_at: batch.endedAt,
      expires_at: new Date(Date.parse(batch.createdAt) + 86_400_000).toISOString(),
      cancel_initiated_at: batch.canceled ? batch.endedAt ?? new Date().toISOString() : null,
      archived_at: null,
      results_url: batch.status === 'ended' ? `${url}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  async function finishBatch(batch: FakeBatch): Promise<void> {
    if (batch.status === 'ended') return;
    const results = [];
    for (const { custom_id, params } of batch.requests) {
      if (batch.canceled) {
        results.push({ custom_id, result: { type: 'canceled' } });
        continue;
      }
      countsByModel[params.model] = (countsByModel[params.model] ?? 0) + 1;
      const { message, failure } = await answerOf(params, '/v1/messages/batches');
      if (failure) {
        const type = failure.type ?? defaultErrorType[failure.status] ?? 'api_error';
        results.push({ custom_id, result: { type: 'errored', error: { type: 'error', error: { type, message: failure.message ?? `fake ${type}` } } } });
      } else results.push({ custom_id, result: { type: 'succeeded', message } });
    }
    batch.results = options.batchOrder === 'reversed' ? results.reverse() : results;
    batch.status = 'ended';
    batch.endedAt = new Date().toISOString();
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, body: any): Promise<void> {
    if (req.method === 'POST' && path === '/v1/messages') {
      if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
        return sendError(res, { status: 400, message: 'model and messages are required' });
      }
      return handleMessages(req, res, body as FakeMessagesRequest);
    }
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      if (options.countTokens === false) return sendError(res, { status: 404, message: 'count_tokens is not offered here' });
      const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b: { text: string }) => b.text).join('');
      const messages = (body.messages ?? []).map((m: FakeMessagesRequest['messages'][number]) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('');
      return send(res, 200, { input_tokens: tokensOf(system + messages) });
    }
    if (req.method === 'POST' && path === '/v1/messages/batches') {
      if (!Array.isArray(body?.requests) || body.requests.length === 0) return sendError(res, { status: 400, message: 'requests must be a non-empty array' });
      const batch: FakeBatch = {
        id: `msgbatch_fake_${++ids}`,
        requests: body.requests,
        status: 'in_progress',
        results: [],
        canceled: false,
        createdAt: new Date().toISOString(),
        endedAt: null,
      };
      batches.set(batch.id, batch);
      later(options.batchDelayMs ?? 50, () => void finishBatch(batch));
      return send(res, 200, batchJson(batch));
    }
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    const batch = match ? batches.get(match[1]!) : undefined;
    if (match && !batch) return sendError(res, { status: 404, message: `no batch ${match[1]}` });
    if (batch && req.method === 'GET' && !match![2]) return send(res, 200, batchJson(batch));
    if (batch && req.method === 'POST' && match![2] === '/cancel') {
      if (batch.status === 'in_progress') {
        batch.canceled = true;
        batch.status = 'canceling';
        later(10, () => void finishBatch(batch));
      }
      return send(res, 200, batchJson(batch));
    }
    if (batch && req.method === 'GET' && match![2] === '/results') {
      if (batch.status !== 'ended') return sendError(res, { status: 400, message: 'batch has not ended' });
      res.writeHead(200, { 'content-type': 'application/binary' });
      return void res.end(batch.results.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
    sendError(res, { status: 404, message: `no route ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendError(res, { status: 400, message: 'body is not JSON' });
      }
      requests.push({ method: req.method ?? 'GET', path, headers: { ...req.headers }, body, at: Date.now() });
      if (!authorized(req)) return sendError(res, { status: 401, message: 'invalid x-api-key' });
      route(req, res, path, body).catch((error: Error) => sendError(res, { status: 500, message: `fake crashed: ${error.message}` }));
    });
  });
  // The bench opens hundreds of keep-alive connections; do not let the default backlog bite.
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    countsByModel,
    batches,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get abandoned() {
      return abandoned;
    },
    respond(fn) {
      responder = fn;
    },
    fail(failure, times = 1) {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    reset() {
      requests.length = 0;
      for (const key of Object.keys(countsByModel)) delete countsByModel[key];
      maxInFlight = inFlight;
      abandoned = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
