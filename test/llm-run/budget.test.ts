import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../engine/types.js';
import { runLlmYaml, startFake } from './support.js';

describe('budget through runPipeline', () => {
  it('stops new llm work once spent: later instances skipped for budget, run failed with BUDGET_EXCEEDED, a warning at warnAt', async () => {
    // Every answer costs exactly 150 tokens: 2 calls are 75% of 400, the 3rd goes over.
    const fake = await startFake({ respond: () => ({ text: 'ok', usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } }) });
    const { report, events } = await runLlmYaml(
      fake,
      `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
budget: { tokens: 400, warnAt: 0.5 }
tasks:
  ask:
    uses: llm
    forEach: [a, b, c, d, e, f]
    concurrency: 1
    with: { prompt: "item {{item}}" }
`,
      { noCache: true },
    );
    expect(fake.messageRequests()).toHaveLength(3);
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    for (const id of ['ask[0]', 'ask[1]', 'ask[2]']) expect(report.tasks[id]).toMatchObject({ status: 'success' });
    for (const id of ['ask[3]', 'ask[4]', 'ask[5]']) expect(report.tasks[id]).toMatchObject({ status: 'skipped', reason: 'budget' });
    expect(report.usage.totalTokens).toBe(450);
    const warnings = events.filter((e): e is Extract<RunEvent, { type: 'warning' }> => e.type === 'warning').map((e) => e.message);
    expect(warnings[0]).toMatch(/75%/);
    // The warning came before the call that went over the budget ended.
    const warnAt = events.findIndex((e) => e.type === 'warning');
    const thirdEnd = events.findIndex((e) => e.type === 'task:end' && e.id === 'ask[2]');
    expect(warnAt).toBeLessThan(thirdEnd);
    expect(events.filter((e) => e.type === 'task:start').map((e) => (e as { id: string }).id)).toEqual(['ask[0]', 'ask[1]', 'ask[2]']);
  });
});
