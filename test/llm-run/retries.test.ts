import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../engine/types.js';
import { firstPromptOf, runLlmYaml, startFake, expectSuccess } from './support.js';

const models = `
models:
  default: haiku
  aliases: { haiku: claude-haiku-5-5 }
`;

describe('llm retries through runPipeline', () => {
  it('a 429 then a success leaves no failed task: retried after retry-after-ms, 2 attempts', async () => {
    const fake = await startFake({ failures: [{ status: 429, retryAfterMs: 400 }] });
    const { report, events } = await runLlmYaml(
      fake,
      `${models}
tasks:
  ask:
    uses: llm
    retry: { attempts: 3, delay: 1ms, backoff: fixed, jitter: false }
    with: { prompt: "hello" }
`,
      { noCache: true },
    );
    expectSuccess(report);
    const ask = report.tasks.ask!;
    expect(ask).toMatchObject({ status: 'success', attempts: 2, output: { text: 'echo: hello' } });
    const retries = events.filter((e): e is Extract<RunEvent, { type: 'task:retry' }> => e.type === 'task:retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 400 });
    // The server's wait wins over the 1 ms backoff.
    expect(retries[0]!.delayMs).toBe(400);
    const sent = fake.messageRequests();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(390);
  });

  it('a 400 is not retried: one request, one attempt, the task failed', async () => {
    const fake = await startFake({ failures: [{ status: 400, message: 'bad request' }] });
    const { report, events } = await runLlmYaml(
      fake,
      `${models}
tasks:
  ask:
    uses: llm
    retry: { attempts: 5, delay: 1ms }
    with: { prompt: "hello" }
`,
      { noCache: true },
    );
    expect(report.status).toBe('failed');
    expect(report.tasks.ask).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'HTTP_ERROR', status: 400 } });
    expect(events.some((e) => e.type === 'task:retry')).toBe(false);
    expect(fake.messageRequests()).toHaveLength(1);
  });

  it('invalid JSON is re-asked within the attempt, and dependents read the accepted json', async () => {
    const fake = await startFake({
      // First answer is not JSON; the re-ask (which carries the problem) gets a valid object.
      respond: (body) => (body.messages.length === 1 ? 'Sure! Here is {"count": oops' : '{"count": 7, "label": "seven"}'),
    });
    const { report } = await runLlmYaml(
      fake,
      `${models}
tasks:
  ask:
    uses: llm
    with:
      prompt: "count things"
      output: json
      schema: { type: object, required: [count, label], properties: { count: { type: integer }, label: { type: string } } }
  use:
    needs: [ask]
    run: echo "count={{tasks.ask.output.json.count}} label={{tasks.ask.output.json.label}}"
`,
      { noCache: true },
    );
    expectSuccess(report);
    expect(report.tasks.ask).toMatchObject({ status: 'success', attempts: 1, output: { json: { count: 7, label: 'seven' } } });
    const sent = fake.messageRequests();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.messages).toHaveLength(3);
    expect(firstPromptOf(sent[1]!.body)).toBe('count things');
    expect(JSON.stringify(sent[1]!.body.messages[2])).toMatch(/did not parse/);
    expect(report.tasks.use).toMatchObject({ status: 'success', output: { stdout: 'count=7 label=seven\n' } });
    // Both requests were paid for: usage sums them.
    const usage = (report.tasks.ask as { output: { usage: { outputTokens: number } } }).output.usage;
    expect(usage.outputTokens).toBeGreaterThan(Math.ceil('{"count": 7, "label": "seven"}'.length / 4));
  });
});
