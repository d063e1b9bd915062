// Hostile probes on escapes: a rendered value that leaves the place it was meant for (URL schemes, paths).
import { describe, expect, it } from 'vitest';
import { runYaml } from './support.js';

type Failed = { status: string; error: { code: string; message: string } };

describe('templated http URLs (item 16)', () => {
  it.each([
    ['data:text/plain,hello', 'data:'],
    ['file:///etc/passwd', 'file:'],
  ])('a url rendered to %s is refused, not fetched', async (url, scheme) => {
    const { report } = await runYaml(
      `inputs:\n  u: { type: string, default: "${url}" }\ntasks:\n  get: { uses: http, with: { url: "{{inputs.u}}" } }\n`,
    );
    const get = report.tasks.get as Failed;
    expect(get.status).toBe('failed');
    expect(get.error.code).toBe('TASK_FAILED');
    expect(get.error.message).toContain(`got a ${scheme} URL`);
  });
});
