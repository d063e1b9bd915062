import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../engine/run/run.js';
import type { RunEvent } from '../../engine/types.js';
import { spawnBin, stackLines } from '../cli/support.js';
import { loadValid, makeProject } from '../support/project.js';
import { fakeEnv, runLlmYaml, startFake } from './support.js';

const yaml = `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  first: { run: echo before }
  ask: { uses: llm, needs: [first], with: { prompt: "not cached" } }
`;

describe('an llm run without ANTHROPIC_API_KEY', () => {
  it('runPipeline rejects with MISSING_API_KEY before any task starts', async () => {
    const fake = await startFake();
    const pipeline = await loadValid(makeProject({ 'pipeline.yaml': yaml }));
    const events: RunEvent[] = [];
    await expect(
      runPipeline(pipeline, { env: fakeEnv(fake, { ANTHROPIC_API_KEY: undefined }), onEvent: (e) => events.push(e) }),
    ).rejects.toMatchObject({ code: 'MISSING_API_KEY', message: expect.stringContaining('ask') });
    expect(events.filter((e) => e.type === 'task:start')).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('the real bin exits 2 with one clear line and no stack', async () => {
    const fake = await startFake();
    const cwd = makeProject({ 'pipelines/ask.yaml': yaml });
    const result = await spawnBin(['run', 'ask'], { cwd, env: { ANTHROPIC_BASE_URL: fake.url } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^weft: ANTHROPIC_API_KEY is not set.*: ask$/)]);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('the API key is a secret', () => {
  it('never appears in events or the report, even when a task prints it or an error quotes it', async () => {
    const key = 'sk-ant-test-0123456789abcdef';
    const fake = await startFake({
      apiKey: key,
      // An error body that quotes the key, as a misbehaving proxy might.
      respond: () => ({ error: { status: 400, message: `key ${key} is not allowed here` } }),
    });
    const { report, events } = await runLlmYaml(
      fake,
      `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
failFast: false
tasks:
  leak: { run: 'echo "key=$ANTHROPIC_API_KEY"' }
  ask: { uses: llm, with: { prompt: "hello" } }
`,
      { env: fakeEnv(fake, { ANTHROPIC_API_KEY: key }), noCache: true },
    );
    // The calls did reach the fake with the key, and the error did come back.
    expect(fake.messageRequests()).toHaveLength(1);
    expect(report.tasks.ask).toMatchObject({ status: 'failed', error: { status: 400, message: expect.stringContaining('is not allowed here') } });
    expect(report.tasks.leak).toMatchObject({ status: 'success', output: { stdout: 'key=***\n' } });
    const everything = JSON.stringify({ report, events });
    expect(everything).not.toContain(key);
    expect(everything).toContain('key=***');
  });
});
