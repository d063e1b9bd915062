import { describe, expect, it } from 'vitest';
import { spawnBin } from '../cli/support.js';
import { makeProject } from '../support/project.js';

// A module hook that refuses to resolve bullmq or ioredis, as import or as require (the bin's
// bundle is CommonJS): a run that needs them fails loudly.
const hooks = `export async function resolve(s, c, next) { if (s === 'bullmq' || s === 'ioredis') throw new Error('imported ' + s); return next(s, c); }`;
const refuseRequire = `const load = Module._load; Module._load = function (s, ...rest) { if (s === 'bullmq' || s === 'ioredis') throw new Error('imported ' + s); return load.call(this, s, ...rest); };`;
const register = `import Module, { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}); ${refuseRequire}`;

describe('a run without a queue', () => {
  it('never imports bullmq or ioredis', async () => {
    const dir = makeProject({ 'pipelines/hello.yaml': 'tasks: { a: { run: "echo hi" } }' });
    const options = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(register)}` };
    const plain = await spawnBin(['run', 'hello'], { cwd: dir, env: options });
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    // The hook does refuse them: the same run with a queue needs bullmq and fails on it.
    const queued = await spawnBin(['run', 'hello', '--queue', 'redis://127.0.0.1:1'], { cwd: dir, env: options });
    expect(queued.code).not.toBe(0);
    expect(queued.stderr).toMatch(/imported (bullmq|ioredis)/);
  });
});
