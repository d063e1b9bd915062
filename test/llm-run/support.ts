// Running llm pipelines through runPipeline against the fake Messages API on 127.0.0.1:
// the real SDK in real Piscina workers, pointed at the fake by ANTHROPIC_BASE_URL.
import { afterEach, expect } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic, type FakeOptions } from '../support/fake-anthropic.js';
import { runYaml } from '../support/project.js';
import type { RunPipelineOptions } from '../../engine/run/run.js';
import type { RunEvent, RunReport } from '../../engine/types.js';

export const testKey = 'test-key';

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

/** A fake closed after the test. */
export async function startFake(options: FakeOptions = {}): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic(options);
  fakes.push(fake);
  return fake;
}

/** The run environment: this process's, plus the test key and the fake's URL. */
export function fakeEnv(fake: FakeAnthropic, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...process.env, ANTHROPIC_API_KEY: testKey, ANTHROPIC_BASE_URL: fake.url, ...extra };
}

/** Run `yaml` in a fresh project (so a fresh response cache) against `fake`. */
export function runLlmYaml(
  fake: FakeAnthropic,
  yaml: string,
  options: RunPipelineOptions & { files?: Record<string, string> } = {},
): Promise<{ report: RunReport; events: RunEvent[]; dir: string }> {
  return runYaml(yaml, { env: fakeEnv(fake), ...options });
}

/** The text of the last user message of a recorded request body. */
export function promptOf(body: { messages: Array<{ role: string; content: unknown }> }): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  return typeof last.content === 'string' ? last.content : (last.content as Array<{ text?: string }>).map((b) => b.text ?? '').join('');
}

/** The first user message (the prompt as sent, before any re-ask). */
export function firstPromptOf(body: { messages: Array<{ role: string; content: unknown }> }): string {
  const first = body.messages.find((m) => m.role === 'user');
  if (!first) return '';
  return typeof first.content === 'string' ? first.content : (first.content as Array<{ text?: string }>).map((b) => b.text ?? '').join('');
}

export function ids(events: RunEvent[], type: RunEvent['type']): string[] {
  return events.filter((e) => e.type === type).map((e) => ('id' in e ? (e.id ?? '') : ''));
}

/** The run succeeded; on failure the message names each task that did not, with its error. */
export function expectSuccess(report: RunReport): void {
  const bad = Object.entries(report.tasks)
    .filter(([, r]) => r.status !== 'success')
    .map(([id, r]) => `${id}: ${r.status} ${JSON.stringify('error' in r ? r.error : 'reason' in r ? r.reason : '')}`);
  expect(report.status, bad.join('\n') || JSON.stringify(report.error)).toBe('success');
}
