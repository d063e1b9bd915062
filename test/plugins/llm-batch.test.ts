// runBatch: all instances as Message Batches on the fake API, mapped back to item order.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGNALS_KEY } from '../../engine/executor.js';
import { WeftError } from '../../engine/errors.js';
import { estimateCost, llm, loadModels, type LlmWith } from '../../plugins/llm.js';
import { lastUserText, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeLlmContext, makeRoot } from '../support/llm-context.js';

let fake: FakeAnthropic;
let root: string;

beforeEach(async () => {
  fake = await startFakeAnthropic({ batchDelayMs: 30 });
  root = await makeRoot();
});
afterEach(async () => {
  await fake.close();
});

const ctxFor = (overrides: Parameters<typeof makeLlmContext>[2] = {}) =>
  makeLlmContext(fake.url, root, { ...overrides, options: { batchPollMs: 10, ...overrides.options } });

const batchCreates = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches');

describe('runBatch', () => {
  it('sends one batch and maps each result back to its item, at the batch price', async () => {
    // Answers depend on the prompt and arrive in reverse order, so a mix-up would show.
    await fake.close();
    fake = await startFakeAnthropic({ batchDelayMs: 30, batchOrder: 'reversed' });
    fake.respond((body) => `answer to ${lastUserText(body).toUpperCase()}`);
    const items: LlmWith[] = [0, 1, 2, 3].map((i) => ({ prompt: `item ${i}`, maxTokens: 50 }));
    const results = await llm.runBatch!(items, ctxFor());
    const creates = batchCreates();
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body.requests.map((r: { custom_id: string }) => r.custom_id)).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    expect(fake.messageRequests()).toHaveLength(0);
    const models = loadModels();
    results.forEach((result, i) => {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.output.text).toBe(`answer to ITEM ${i}`);
      expect(result.output.model).toBe('claude-haiku-5-5');
      const full = estimateCost('claude-haiku-5-5', result.output.usage, models);
      expect(result.output.costUsd).toBeCloseTo(full * models.batchDiscount, 12);
      expect(result.output.costUsd).toBeLessThan(full);
    });
  });

  it('sends the requests in item order even when an earlier item takes longer to prepare', async () => {
    // Item 0 reads files from disk; the others are ready at once and used to be sent first.
    await writeFile(path.join(root, 'notes.md'), 'x'.repeat(50_000));
    const items: LlmWith[] = [
      { prompt: 'item 0', context: [{ label: 'notes', files: 'notes.md' }] },
      { prompt: 'item 1' },
      { prompt: 'item 2' },
    ];
    const results = await llm.runBatch!(items, ctxFor({ options: { cache: false, batchPollMs: 10 } }));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(batchCreates()[0]!.body.requests.map((r: { custom_id: string }) => r.custom_id)).toEqual(['item-0', 'item-1', 'item-2']);
  });

  it('returns per-item failures as data and keeps the rest', async () => {
    fake.respond((body) => (lastUserText(body) === 'item 1' ? { error: { status: 400, message: 'bad item' } } : undefined));
    const results = await llm.runBatch!([{ prompt: 'item 0' }, { prompt: 'item 1' }, { prompt: 'item 2' }], ctxFor());
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const failed = results[1]!;
    if (failed.ok) throw new Error('item 1 should have failed');
    expect([failed.error.code, failed.error.retryable ?? false]).toEqual(['HTTP_ERROR', false]);
  });

  it('skips cache hits entirely and writes new answers to the cache', async () => {
    await llm.runBatch!([{ prompt: 'a' }, { prompt: 'b' }], ctxFor());
    fake.reset();
    const results = await llm.runBatch!([{ prompt: 'a' }, { prompt: 'c' }, { prompt: 'b' }], ctxFor());
    expect(batchCreates()).toHaveLength(1);
    expect(batchCreates()[0]!.body.requests.map((r: { custom_id: string }) => r.custom_id)).toEqual(['item-1']);
    const signals = results.map((r) => (r.ok ? r.output[SIGNALS_KEY]?.cache : 'error'));
    expect(signals).toEqual(['hit', 'miss', 'hit']);
    expect(results.map((r) => (r.ok ? r.output.text : ''))).toEqual(['echo: a', 'echo: c', 'echo: b']);
    // All hits: no batch at all, and no API key needed.
    fake.reset();
    const again = await llm.runBatch!([{ prompt: 'a' }, { prompt: 'c' }], ctxFor({ env: {} }));
    expect(again.every((r) => r.ok)).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('re-asks invalid json answers in a follow-up batch holding only those items', async () => {
    const asked = new Map<string, number>();
    fake.respond((body) => {
      const prompt = body.messages[0]!.content as string;
      asked.set(prompt, (asked.get(prompt) ?? 0) + 1);
      return prompt === 'q1' && asked.get(prompt) === 1 ? 'no json here' : `{"for": "${prompt}"}`;
    });
    const items: LlmWith[] = ['q0', 'q1', 'q2'].map((prompt) => ({ prompt, output: 'json' }));
    const results = await llm.runBatch!(items, ctxFor({ options: { cache: false, batchPollMs: 10 } }));
    expect(results.map((r) => (r.ok ? r.output.json : r.error.code))).toEqual([{ for: 'q0' }, { for: 'q1' }, { for: 'q2' }]);
    const creates = batchCreates();
    expect(creates).toHaveLength(2);
    expect(creates[1]!.body.requests.map((r: { custom_id: string }) => r.custom_id)).toEqual(['item-1']);
    expect(lastUserText(creates[1]!.body.requests[0].params)).toContain('no JSON value');
  });

  it('an abort cancels the batch and fails with TASK_CANCELLED', async () => {
    await fake.close();
    fake = await startFakeAnthropic({ batchDelayMs: 20_000 });
    const controller = new AbortController();
    const pending = llm.runBatch!([{ prompt: 'a' }, { prompt: 'b' }], ctxFor({ signal: controller.signal }));
    while (fake.batches.size === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).code).toBe('TASK_CANCELLED');
    // The cancel may follow the rejection (the batch id arrives after the abort); wait for it.
    const [batch] = [...fake.batches.values()];
    while (!batch!.canceled) await new Promise((r) => setTimeout(r, 5));
    expect(fake.requests.some((r) => r.path === `/v1/messages/batches/${batch!.id}/cancel`)).toBe(true);
  });
});
