// http against a real server on 127.0.0.1: bodies, query, status mapping, retry-after, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeftError } from '../../engine/errors.js';
import { createExecutorPool } from '../../engine/pool/local.js';
import { parseRetryAfter } from '../../plugins/http/retry-after.js';
import { builtinEntry, callContext } from './helpers.js';
import { sendJson, startServer, type TestServer } from './http-server.js';

const pool = createExecutorPool({ workers: 1 });
let server: TestServer;
const retryAt = new Date(Date.now() + 60_000).toUTCString();

beforeAll(async () => {
  server = await startServer({
    '/echo': (req, body, res) => sendJson(res, 201, { method: req.method, got: body ? JSON.parse(body) : null, url: req.url }, { 'x-trace': 'abc' }),
    '/text': (req, body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words'),
    '/bad': (req, body, res) => sendJson(res, 400, { error: 'bad input' }),
    '/down': (req, body, res) => sendJson(res, 503, { error: 'down' }),
    '/limited': (req, body, res) => sendJson(res, 429, {}, { 'retry-after': '2' }),
    '/limited-until': (req, body, res) => sendJson(res, 429, {}, { 'retry-after': retryAt }),
    '/broken-json': (req, body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'),
  });
});
afterAll(async () => {
  await pool.destroy();
  await server.close();
});

const call = async (w: Record<string, unknown>) => pool.run(await builtinEntry('http'), w, callContext());
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('should fail'), (e: WeftError) => e);

describe('http executor', () => {
  it('sends an object body as JSON and parses a JSON response', async () => {
    const out = (await call({ url: `${server.url}/echo`, method: 'POST', body: { name: 'weft', n: 1 }, query: { page: 2, all: true } })) as {
      status: number;
      headers: Record<string, string>;
      body: unknown;
    };
    expect(out.status).toBe(201);
    expect(out.headers['x-trace']).toBe('abc');
    expect(out.body).toEqual({ method: 'POST', got: { name: 'weft', n: 1 }, url: '/echo?page=2&all=true' });
    expect(server.requests.at(-1)?.headers['content-type']).toBe('application/json');
  });

  it('keeps a non-JSON body as text', async () => {
    expect(await call({ url: `${server.url}/text` })).toMatchObject({ status: 200, body: 'plain words' });
  });

  it('fails a 400 as HTTP_ERROR with its status, not retryable', async () => {
    expect(await failure(call({ url: `${server.url}/bad` }))).toMatchObject({ code: 'HTTP_ERROR', status: 400, retryable: false });
  });

  it('fails a 503 as HTTP_ERROR, retryable', async () => {
    expect(await failure(call({ url: `${server.url}/down` }))).toMatchObject({ code: 'HTTP_ERROR', status: 503, retryable: true });
  });

  it('fails a 429 as RATE_LIMITED with retryAfterMs from retry-after seconds or date', async () => {
    expect(await failure(call({ url: `${server.url}/limited` }))).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryable: true, retryAfterMs: 2000 });
    const until = await failure(call({ url: `${server.url}/limited-until` }));
    expect(until.retryAfterMs).toBeGreaterThan(30_000);
    expect(until.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('accepts exactly the statuses in expectStatus', async () => {
    await expect(call({ url: `${server.url}/bad`, expectStatus: 400 })).resolves.toMatchObject({ status: 400, body: { error: 'bad input' } });
    expect(await failure(call({ url: `${server.url}/text`, expectStatus: [201, 202] }))).toMatchObject({ code: 'HTTP_ERROR', status: 200 });
  });

  it('fails a refused connection as NETWORK_ERROR, retryable', async () => {
    const closed = await startServer({});
    const url = closed.url;
    await closed.close();
    expect(await failure(call({ url: `${url}/gone` }))).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('fails a JSON response that does not parse as OUTPUT_INVALID', async () => {
    expect(await failure(call({ url: `${server.url}/broken-json` }))).toMatchObject({ code: 'OUTPUT_INVALID', retryable: false });
  });

  it('keeps the query string, where keys live, out of error messages', async () => {
    const error = await failure(call({ url: `${server.url}/bad?api_key=s3cret`, query: { token: 'hidden' } }));
    expect(error.message).not.toMatch(/s3cret|hidden/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('Sat, 28 Nov 2026 07:00:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 07:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 06:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
