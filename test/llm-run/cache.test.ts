import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../engine/run/run.js';
import type { RunEvent } from '../../engine/types.js';
import { loadValid, makeProject } from '../support/project.js';
import { fakeEnv, startFake } from './support.js';

const yaml = `
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  one: { uses: llm, with: { prompt: "first question" } }
  many:
    uses: llm
    forEach: [red, green, blue]
    with: { prompt: "colour {{item}}" }
`;

describe('llm response cache through runPipeline', () => {
  it('a second run answers from the cache: no request, cache.hits = N, and no API key needed; noCache bypasses it', async () => {
    const fake = await startFake();
    const dir = makeProject({ 'pipeline.yaml': yaml });
    const pipeline = await loadValid(dir);

    const first = await runPipeline(pipeline, { env: fakeEnv(fake) });
    expect(first.status).toBe('success');
    expect(fake.messageRequests()).toHaveLength(4);
    expect(first.cache).toEqual({ hits: 0, misses: 4 });

    fake.reset();
    const events: RunEvent[] = [];
    const second = await runPipeline(pipeline, { env: fakeEnv(fake, { ANTHROPIC_API_KEY: undefined }), onEvent: (e) => events.push(e) });
    expect(second.status).toBe('success');
    expect(fake.requests).toHaveLength(0);
    expect(second.cache).toEqual({ hits: 4, misses: 0 });
    for (const id of ['one', 'many[0]', 'many[1]', 'many[2]']) {
      expect((second.tasks[id] as { output: { text: string } }).output.text).toBe((first.tasks[id] as { output: { text: string } }).output.text);
    }
    expect((second.tasks['many[1]'] as { output: { text: string } }).output.text).toBe('echo: colour green');
    // Nothing was spent this time.
    expect(second.usage.totalTokens).toBe(0);
    expect(first.usage.totalTokens).toBeGreaterThan(0);

    // Without the cache the same keyless run is impossible, and says so before anything runs.
    await expect(runPipeline(pipeline, { env: fakeEnv(fake, { ANTHROPIC_API_KEY: undefined }), noCache: true })).rejects.toMatchObject({
      code: 'MISSING_API_KEY',
    });
    expect(fake.requests).toHaveLength(0);

    const third = await runPipeline(pipeline, { env: fakeEnv(fake), noCache: true });
    expect(third.status).toBe('success');
    expect(fake.messageRequests()).toHaveLength(4);
    expect(third.cache).toBeUndefined();
  });
});
