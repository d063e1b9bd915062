import { describe, expect, it } from 'vitest';
import { firstPromptOf, runLlmYaml, startFake, expectSuccess } from './support.js';

const models = `models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }`;

describe('what the llm tasks send, through runPipeline', () => {
  it('every instance of a fan-out sends the shared block first, marked cache_control', async () => {
    const fake = await startFake();
    const shared = 'House rules for every review. '.repeat(20);
    const { report } = await runLlmYaml(
      fake,
      `${models}
tasks:
  review:
    uses: llm
    forEach: [a, b, c, d]
    concurrency: 1
    with:
      shared: ${JSON.stringify(shared)}
      system: Be brief.
      prompt: "file {{item}}"
`,
      { noCache: true },
    );
    expectSuccess(report);
    const sent = fake.messageRequests();
    expect(sent.map((r) => firstPromptOf(r.body)).sort()).toEqual(['file a', 'file b', 'file c', 'file d']);
    for (const r of sent) {
      expect(r.body.system[0]).toEqual({ type: 'text', text: shared, cache_control: { type: 'ephemeral' } });
      expect(r.body.system[1]).toEqual({ type: 'text', text: 'Be brief.' });
    }
    // The prompt cache did its work: written by the first call, read by the other three.
    const usages = ['review[0]', 'review[1]', 'review[2]', 'review[3]'].map(
      (id) => (report.tasks[id] as { output: { usage: { cacheReadTokens: number; cacheWriteTokens: number } } }).output.usage,
    );
    expect(usages.filter((u) => u.cacheWriteTokens > 0)).toHaveLength(1);
    expect(usages.filter((u) => u.cacheReadTokens > 0)).toHaveLength(3);
  });

  it('batch: true sends one Message Batch and gives each instance its own answer', async () => {
    // Results come back in reverse order: the mapping must go by custom_id, not position.
    const fake = await startFake({ batchOrder: 'reversed', batchDelayMs: 20, respond: (body) => `answer to ${firstPromptOf(body)}` });
    const { report } = await runLlmYaml(
      fake,
      `${models}
tasks:
  ask:
    uses: llm
    batch: true
    forEach: [alpha, beta, gamma]
    with: { prompt: "word {{item}}" }
  join:
    needs: [ask]
    run: echo {{tasks.ask.outputs.1.text}}
`,
      { noCache: true },
    );
    expectSuccess(report);
    expect(fake.batches.size).toBe(1);
    expect(fake.messageRequests()).toHaveLength(0);
    expect([...fake.batches.values()][0]!.requests).toHaveLength(3);
    ['alpha', 'beta', 'gamma'].forEach((word, i) => {
      expect(report.tasks[`ask[${i}]`]).toMatchObject({ status: 'success', attempts: 1, output: { text: `answer to word ${word}` } });
    });
    expect(report.tasks.join).toMatchObject({ status: 'success', output: { stdout: 'answer to word beta\n' } });
  });
});
