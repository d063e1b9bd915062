// The fake Messages API itself, as the SDK sees it: the bench and other tests rely on these.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const clientFor = (url: string, auth: { apiKey?: string; authToken?: string } = { apiKey: 'test-key' }) =>
  new Anthropic({ ...auth, baseURL: url, maxRetries: 0, logLevel: 'off' });

describe('fake Anthropic API', () => {
  it('streams an answer as SSE events the SDK assembles', async () => {
    fake = await startFakeAnthropic({ respond: () => 'a streamed answer that spans several deltas' });
    const stream = clientFor(fake.url).messages.stream({ model: 'claude-haiku-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('a streamed answer that spans several deltas');
    expect(message.stop_reason).toBe('end_turn');
    expect(fake.requests[0]!.body.stream).toBe(true);
  });

  it('accepts the key as x-api-key or Bearer, and answers 401 otherwise', async () => {
    fake = await startFakeAnthropic();
    const params = { model: 'claude-haiku-5-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    await clientFor(fake.url).messages.create(params);
    await clientFor(fake.url, { authToken: 'test-key' }).messages.create(params);
    const raw = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'test-key', 'content-type': 'application/json' }, body: JSON.stringify(params) });
    expect(raw.status).toBe(200);
    await expect(clientFor(fake.url, { apiKey: 'wrong' }).messages.create(params)).rejects.toMatchObject({ status: 401, type: 'authentication_error' });
    expect(fake.countsByModel['claude-haiku-5-5']).toBe(3);
  });

  it('limits requests per second, sending the wait and the ratelimit headers', async () => {
    fake = await startFakeAnthropic({ rateLimit: { requests: 3, per: 'second' } });
    const client = clientFor(fake.url);
    const params = { model: 'claude-haiku-5-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map(() => client.messages.create(params).withResponse()));
    const ok = settled.filter((s) => s.status === 'fulfilled');
    const limited = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect([ok.length, limited.length]).toEqual([3, 2]);
    expect(limited[0]!.reason).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(Number(limited[0]!.reason.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    const remaining = ok.map((s) => Number((s as PromiseFulfilledResult<{ response: Response }>).value.response.headers.get('anthropic-ratelimit-requests-remaining')));
    expect(remaining.sort()).toEqual([0, 1, 2]);
  });

  it('holds answers for latencyMs and tracks concurrency', async () => {
    // Each answer waits until all four requests are in: overlap by construction, not by timing.
    let arrived = 0;
    let allIn!: () => void;
    const gate = new Promise<void>((resolve) => (allIn = resolve));
    fake = await startFakeAnthropic({
      latencyMs: 100,
      respond: async () => {
        if (++arrived === 4) allIn();
        await gate;
        return undefined;
      },
    });
    const client = clientFor(fake.url);
    const params = { model: 'claude-haiku-5-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    await Promise.all([1, 2, 3, 4].map(() => client.messages.create(params)));
    expect(fake.maxInFlight).toBe(4);
    expect(fake.inFlight).toBe(0);
  });
});
