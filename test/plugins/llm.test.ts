// The llm executor, called in-process with the real Anthropic SDK against the fake Messages API.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGNALS_KEY } from '../../engine/executor.js';
import { WeftError } from '../../engine/errors.js';
import { estimateCost, llm, loadModels, type LlmResult, type LlmWith } from '../../plugins/llm.js';
import { lastUserText, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeLlmContext, makeRoot } from '../support/llm-context.js';

let fake: FakeAnthropic;
let root: string;

beforeEach(async () => {
  fake = await startFakeAnthropic();
  root = await makeRoot();
});
afterEach(async () => {
  await fake.close();
});

async function failureOf(promise: Promise<unknown>): Promise<WeftError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(WeftError);
  return error as WeftError;
}

const run = (w: LlmWith, overrides: Parameters<typeof makeLlmContext>[2] = {}) =>
  llm.run(w, makeLlmContext(fake.url, root, { ...overrides, options: { cache: false, ...overrides.options } }));

describe('a call', () => {
  it('sends ctx.model, never sampling parameters, and prices the answer from the model table', async () => {
    const out = await run({ prompt: 'Name a colour', system: 'Be brief', maxTokens: 64 }, { model: 'claude-sonnet-5-5' });
    const [sent] = fake.messageRequests();
    expect(sent!.body.model).toBe('claude-sonnet-5-5');
    expect(sent!.body.max_tokens).toBe(64);
    expect(sent!.body).not.toHaveProperty('temperature');
    expect(sent!.body).not.toHaveProperty('top_p');
    expect(sent!.headers.authorization).toBe('Bearer test-key');
    expect(sent!.headers['anthropic-version']).toBe('2026-10-21');
    expect(out.text).toBe('echo: Name a colour');
    expect(out.model).toBe('claude-sonnet-5-5');
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage.inputTokens).toBeGreaterThan(0);
    expect(out.costUsd).toBeGreaterThan(0);
    expect(out.costUsd).toBeCloseTo(estimateCost('claude-sonnet-5-5', out.usage, loadModels()), 12);
  });

  it('sends the shared block first, marked for prompt caching, and reports cache reads on the next call', async () => {
    const shared = 'A long rubric shared by every instance of the fan-out. '.repeat(20);
    await run({ prompt: 'first', shared, system: 'Review' });
    const second = await run({ prompt: 'second', shared, system: 'Review' });
    const system = fake.messageRequests()[0]!.body.system;
    expect(system[0]).toEqual({ type: 'text', text: shared, cache_control: { type: 'ephemeral' } });
    expect(system[1]).toEqual({ type: 'text', text: 'Review' });
    expect(second.usage.cacheReadTokens).toBeGreaterThan(0);
  });

  it('passes stop sequences through', async () => {
    const out = await run({ prompt: 'one STOP two', stopSequences: ['STOP'] });
    expect(fake.messageRequests()[0]!.body.stop_sequences).toEqual(['STOP']);
    expect(out.stopReason).toBe('stop_sequence');
    expect(out.text).toBe('echo: one ');
  });

  it('refuses sampling parameters even when validation was skipped', async () => {
    const error = await failureOf(run({ prompt: 'x', temperature: 0.2 } as LlmWith));
    expect(error.code).toBe('PIPELINE_INVALID');
    expect(fake.requests).toHaveLength(0);
  });

  it('fails clearly without a model, or with one the table does not price', async () => {
    expect((await failureOf(run({ prompt: 'x' }, { model: undefined }))).code).toBe('UNKNOWN_MODEL');
    expect((await failureOf(run({ prompt: 'x' }, { model: 'claude-unknown-1' }))).code).toBe('UNKNOWN_MODEL');
    expect(fake.requests).toHaveLength(0);
  });

  it('needs an API key for an answer not in the cache, and never echoes a key in the error', async () => {
    const error = await failureOf(run({ prompt: 'x' }, { env: {} }));
    expect(error.code).toBe('MISSING_API_KEY');
    expect(error.retryable).toBe(false);
  });

  it('returns the scarcest rate-limit headroom as a signal', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ rateLimit: { requests: 10, per: 'minute', tokens: 1_000_000 } });
    const out = await run({ prompt: 'x' });
    // One request of ten used; the token limit is barely touched, so requests are the scarcer.
    expect(out[SIGNALS_KEY]?.rateLimitRemaining).toBeCloseTo(0.9, 5);
  });
});

describe('errors', () => {
  it('429 is retryable RATE_LIMITED carrying retry-after (seconds) or retry-after-ms', async () => {
    fake.fail({ status: 429, retryAfter: 2 });
    const a = await failureOf(run({ prompt: 'x' }));
    expect([a.code, a.retryable, a.status, a.retryAfterMs]).toEqual(['RATE_LIMITED', true, 429, 2000]);
    fake.fail({ status: 429, retryAfterMs: 1500, retryAfter: 9 });
    const b = await failureOf(run({ prompt: 'x' }));
    expect(b.retryAfterMs).toBe(1500);
  });

  it('a 429 for a spend limit is not retryable (error_code, or the message when there is none)', async () => {
    fake.fail({ status: 429, errorCode: 'enforced_spend_limit_reached', message: 'Monthly usage threshold crossed' });
    const a = await failureOf(run({ prompt: 'x' }));
    expect([a.code, a.retryable, a.status]).toEqual(['RATE_LIMITED', false, 429]);
    fake.fail({ status: 429, message: 'You have reached your specified workspace API usage limits (spend limit).' });
    const b = await failureOf(run({ prompt: 'x' }));
    expect(b.retryable).toBe(false);
  });

  it('400, 401, 403, 404 and 413 are not retryable; 500 and 529 are', async () => {
    for (const status of [400, 401, 403, 404, 413]) {
      fake.fail({ status });
      const error = await failureOf(run({ prompt: 'x' }));
      expect([error.code, error.retryable, error.status]).toEqual(['HTTP_ERROR', false, status]);
    }
    fake.fail({ status: 500 });
    const server = await failureOf(run({ prompt: 'x' }));
    expect([server.code, server.retryable]).toEqual(['HTTP_ERROR', true]);
    fake.fail({ status: 529 });
    const overloaded = await failureOf(run({ prompt: 'x' }));
    expect([overloaded.code, overloaded.retryable, overloaded.status]).toEqual(['OVERLOADED', true, 529]);
  });

  it('a wrong key is a non-retryable 401, and the key is not in the message', async () => {
    const error = await failureOf(run({ prompt: 'x' }, { env: { ANTHROPIC_API_KEY: 'sk-wrong-secret' } }));
    expect([error.code, error.status, error.retryable]).toEqual(['HTTP_ERROR', 401, false]);
    expect(error.message).not.toContain('sk-wrong-secret');
  });

  it('an unreachable API is a retryable NETWORK_ERROR', async () => {
    const gone = fake.url;
    await fake.close();
    const error = await failureOf(llm.run({ prompt: 'x' }, makeLlmContext(gone, root, { options: { cache: false } })));
    expect([error.code, error.retryable]).toEqual(['NETWORK_ERROR', true]);
    fake = await startFakeAnthropic();
  });

  it('the requests-per-second limit answers 429 with a wait, mapped to retryable RATE_LIMITED', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ rateLimit: { requests: 2, per: 'minute' } });
    await run({ prompt: 'a' });
    await run({ prompt: 'b' });
    const error = await failureOf(run({ prompt: 'c' }));
    expect([error.code, error.retryable]).toEqual(['RATE_LIMITED', true]);
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('json output', () => {
  const schema = { type: 'object', required: ['findings'], properties: { findings: { type: 'array' } } };

  it('re-asks on invalid JSON within the same run, naming the problem, and sums usage', async () => {
    fake.respond((_body, { index }) =>
      index === 0
        ? { text: 'Sure! {"findings": [1, 2,', usage: { input_tokens: 100, output_tokens: 7 } }
        : { text: '```json\n{"findings": [1, 2]}\n```', usage: { input_tokens: 250, output_tokens: 9, cache_read_input_tokens: 3 } },
    );
    const out = await run({ prompt: 'Find issues', output: 'json', schema });
    const sent = fake.messageRequests();
    expect(sent).toHaveLength(2);
    expect(lastUserText(sent[1]!.body)).toContain('did not parse');
    expect(sent[1]!.body.messages[1]).toEqual({ role: 'assistant', content: 'Sure! {"findings": [1, 2,' });
    expect(out.json).toEqual({ findings: [1, 2] });
    expect(out.usage).toEqual({ inputTokens: 350, outputTokens: 16, cacheReadTokens: 3, cacheWriteTokens: 0 });
  });

  it('a schema mismatch fails OUTPUT_INVALID (not retryable) after outputAttempts requests', async () => {
    fake.respond(() => '{"issues": []}');
    const error = await failureOf(run({ prompt: 'Find issues', output: 'json', schema }, { options: { outputAttempts: 2 } }));
    expect([error.code, error.retryable]).toEqual(['OUTPUT_INVALID', false]);
    expect(fake.messageRequests()).toHaveLength(2);
    expect(lastUserText(fake.messageRequests()[1]!.body)).toContain("must have required property 'findings'");
  });

  it('takes the first JSON value out of prose on the first try', async () => {
    fake.respond(() => 'Here you go: {"findings": []} Hope it helps.');
    const out = await run({ prompt: 'x', output: 'json', schema });
    expect(out.json).toEqual({ findings: [] });
    expect(fake.messageRequests()).toHaveLength(1);
  });
});

describe('response cache', () => {
  const cached = (overrides: Parameters<typeof makeLlmContext>[2] = {}) =>
    makeLlmContext(fake.url, root, { ...overrides, options: { ...overrides.options } });

  it('a hit sends no request, needs no API key, and signals hit; a miss signals miss', async () => {
    const first = (await llm.run({ prompt: 'cache me', maxTokens: 100 }, cached())) as LlmResult;
    expect(first[SIGNALS_KEY]?.cache).toBe('miss');
    expect(await readdir(path.join(root, '.weft', 'cache', 'llm'))).toHaveLength(1);
    fake.reset();
    const second = await llm.run({ maxTokens: 100, prompt: 'cache me' }, cached({ env: {} }));
    expect(fake.requests).toHaveLength(0);
    expect(second[SIGNALS_KEY]?.cache).toBe('hit');
    expect(second.text).toBe(first.text);
    // Nothing was spent on this run.
    expect(second.costUsd).toBe(0);
  });

  it('any change that shapes the answer misses', async () => {
    await llm.run({ prompt: 'p' }, cached());
    await llm.run({ prompt: 'p', maxTokens: 10 }, cached());
    await llm.run({ prompt: 'p' }, cached({ model: 'claude-opus-5-5' }));
    await llm.run({ prompt: 'p', system: 's' }, cached());
    expect(fake.messageRequests()).toHaveLength(4);
  });

  it('cache: false neither reads nor writes', async () => {
    await llm.run({ prompt: 'p' }, cached());
    fake.reset();
    const out = await llm.run({ prompt: 'p' }, cached({ options: { cache: false, cacheDir: 'other-cache' } }));
    expect(fake.messageRequests()).toHaveLength(1);
    expect(out[SIGNALS_KEY]).toBeUndefined();
    await expect(readdir(path.join(root, 'other-cache'))).rejects.toThrow();
  });
});

describe('context', () => {
  beforeEach(async () => {
    await mkdir(path.join(root, 'src', 'lib'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.ts'), 'export const a = 1;');
    await writeFile(path.join(root, 'src', 'lib', 'b.ts'), 'export const b = 2;');
    await writeFile(path.join(root, 'src', 'notes.md'), 'not code');
  });

  it('places labelled values and matching files before the prompt', async () => {
    await run({
      prompt: 'Review these.',
      context: [
        { label: 'scan', value: 'a.ts\nb.ts' },
        { label: 'config', value: { strict: true } },
        { label: 'code', files: 'src/**/*.ts' },
      ],
    });
    const text = lastUserText(fake.messageRequests()[0]!.body);
    expect(text).toContain('<context label="scan">\na.ts\nb.ts\n</context>');
    expect(text).toContain('"strict": true');
    expect(text).toContain('<file path="src/a.ts">\nexport const a = 1;\n</file>');
    expect(text).toContain('<file path="src/lib/b.ts">');
    expect(text).not.toContain('not code');
    expect(text.endsWith('Review these.')).toBe(true);
  });

  it('refuses file patterns that leave the project root', async () => {
    const error = await failureOf(run({ prompt: 'x', context: [{ label: 'up', files: '../**/*' }] }));
    expect(error.code).toBe('PIPELINE_INVALID');
    expect(fake.requests).toHaveLength(0);
  });

  it('over contextMaxTokens is CONTEXT_TOO_LARGE, counted with the count-tokens endpoint', async () => {
    const error = await failureOf(run({ prompt: 'x', context: [{ label: 'big', value: 'word '.repeat(400) }], contextMaxTokens: 50 }));
    expect([error.code, error.retryable]).toEqual(['CONTEXT_TOO_LARGE', false]);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/messages/count_tokens']);
  });

  it('falls back to the chars/4 estimate when count-tokens is not offered', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ countTokens: false });
    const error = await failureOf(run({ prompt: 'x', context: [{ label: 'big', value: 'word '.repeat(400) }], contextMaxTokens: 50 }));
    expect(error.code).toBe('CONTEXT_TOO_LARGE');
    expect(fake.messageRequests()).toHaveLength(0);
  });

  it('truncate: true cuts the context to fit instead of failing', async () => {
    await run({ prompt: 'Summarise', context: [{ label: 'big', value: 'word '.repeat(400) }], contextMaxTokens: 50, truncate: true });
    const text = lastUserText(fake.messageRequests()[0]!.body);
    expect(text).toContain('truncated by weft');
    expect(Math.ceil(text.length / 4)).toBeLessThan(80);
  });
});

describe('cancellation', () => {
  it('an abort cancels the request in flight with TASK_CANCELLED, before the server answers', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ latencyMs: 20_000 });
    const controller = new AbortController();
    const pending = llm.run({ prompt: 'slow' }, makeLlmContext(fake.url, root, { signal: controller.signal, options: { cache: false } }));
    while (fake.messageRequests().length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await failureOf(pending);
    expect(error.code).toBe('TASK_CANCELLED');
    // The server was still holding its answer: the request went away first.
    while (fake.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    expect(fake.abandoned).toBe(1);
  });

  it('an abort whose reason is a WeftError (the engine timing out) keeps that error', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ latencyMs: 20_000 });
    const controller = new AbortController();
    const pending = llm.run({ prompt: 'slow' }, makeLlmContext(fake.url, root, { signal: controller.signal, options: { cache: false } }));
    while (fake.messageRequests().length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new WeftError('TASK_TIMEOUT', 'timed out after 1s', { retryable: true }));
    const error = await failureOf(pending);
    expect([error.code, error.retryable]).toEqual(['TASK_TIMEOUT', true]);
  });
});
