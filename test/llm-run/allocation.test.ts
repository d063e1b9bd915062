import { describe, expect, it } from 'vitest';
import { firstPromptOf, runLlmYaml, startFake, expectSuccess } from './support.js';

describe('model allocation through runPipeline', () => {
  it('each llm task calls the model its allocation names: own model, allocate by id, by tag, default', async () => {
    const fake = await startFake();
    const { report } = await runLlmYaml(
      fake,
      `
models:
  default: sonnet
  aliases: { opus: claude-opus-5-5, sonnet: claude-sonnet-5-5, haiku: claude-haiku-5-5 }
  allocate: { opus: [security, "tag:critical"] }
tasks:
  security: { uses: llm, with: { prompt: "task security" } }
  audit:    { uses: llm, tags: [critical], with: { prompt: "task audit" } }
  cheap:    { uses: llm, model: haiku, tags: [critical], with: { prompt: "task cheap" } }
  plain:    { uses: llm, with: { prompt: "task plain" } }
  full:     { uses: llm, model: claude-sonnet-5-5, with: { prompt: "task full" } }
`,
      { noCache: true },
    );
    expectSuccess(report);
    const sent = Object.fromEntries(fake.messageRequests().map((r) => [firstPromptOf(r.body).replace('task ', ''), r.body.model]));
    expect(sent).toEqual({
      security: 'claude-opus-5-5',
      audit: 'claude-opus-5-5',
      // A task's own model wins over an allocate entry matching its tag.
      cheap: 'claude-haiku-5-5',
      plain: 'claude-sonnet-5-5',
      full: 'claude-sonnet-5-5',
    });
    expect(fake.countsByModel).toEqual({ 'claude-opus-5-5': 2, 'claude-haiku-5-5': 1, 'claude-sonnet-5-5': 2 });
    // The output names the model that answered, and usage is tallied under it.
    for (const id of ['security', 'audit', 'cheap', 'plain', 'full']) {
      const r = report.tasks[id]!;
      expect(r.status).toBe('success');
      expect((r as { output: { model: string } }).output.model).toBe(sent[id]);
    }
    expect(Object.keys(report.usage.byModel).sort()).toEqual(['claude-haiku-5-5', 'claude-opus-5-5', 'claude-sonnet-5-5']);
  });
});
