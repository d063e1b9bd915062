// Hostile probes on messages: a failure must say what happened, not "undefined" or "fetch failed".
import { describe, expect, it } from 'vitest';
import { runYaml } from './support.js';

type Failed = { status: string; error: { code: string; message: string } };

describe('error messages name their cause (item 24)', () => {
  it('fetch failed says why (a port fetch refuses)', async () => {
    const { report } = await runYaml('tasks:\n  get: { uses: http, with: { url: "http://127.0.0.1:6000/" } }\n');
    const get = report.tasks.get as Failed;
    expect(get.error.code).toBe('NETWORK_ERROR');
    expect(get.error.message).toMatch(/bad port/);
  });
});
