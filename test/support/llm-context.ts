// An ExecutorContext for calling the llm executor in-process against the fake Anthropic API.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExecutorContext } from '../../engine/executor.js';

export const testKey = 'test-key';

/** A fresh project root in the temp folder (the response cache lands in it). */
export async function makeRoot(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'weft-llm-'));
}

/**
 * A context whose client points at `baseURL`, with the test key and a real AbortSignal.
 * `logs` collects what the executor wrote to its log.
 */
export function makeLlmContext(
  baseURL: string,
  root: string,
  overrides: { [K in keyof Omit<ExecutorContext, 'log'>]?: ExecutorContext[K] | undefined } = {},
): ExecutorContext & { logs: string[] } {
  const logs: string[] = [];
  const ctx = {
    taskId: 'ask',
    attempt: 1,
    signal: new AbortController().signal,
    root,
    env: { ANTHROPIC_API_KEY: testKey },
    model: 'claude-haiku-5-5',
    log: (_stream: string, line: string) => logs.push(line),
    ...overrides,
    options: { baseURL, ...overrides.options },
    logs,
  };
  // An override of undefined removes the field (a context without a model).
  for (const [key, value] of Object.entries(ctx)) if (value === undefined) delete (ctx as Record<string, unknown>)[key];
  return ctx as ExecutorContext & { logs: string[] };
}
