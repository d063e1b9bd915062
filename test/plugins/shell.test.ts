// shell through the real pool: process groups, bounded output, json, env, cwd, live lines.
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WeftError } from '../../engine/errors.js';
import { createExecutorPool } from '../../engine/pool/local.js';
import { waitFor } from './contract.js';
import { builtinEntry, callContext, makeTempDir, type CallContext } from './helpers.js';
import { processGone } from './process-gone.js';

const pool = createExecutorPool({ workers: 1 });
afterAll(() => pool.destroy());

async function sh(w: Record<string, unknown>, ctx: Partial<CallContext> = {}, opts: Parameters<typeof pool.run>[3] = {}) {
  return pool.run(await builtinEntry('shell'), w, callContext(ctx), opts) as Promise<{ exitCode: number; stdout: string; stderr: string; json?: unknown }>;
}
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('should fail'), (e: WeftError) => e);

describe('shell executor', () => {
  it('fails a non-zero exit as TASK_FAILED "exit code N", retryable', async () => {
    expect(await failure(sh({ command: 'echo oops >&2; exit 7' }))).toMatchObject({ code: 'TASK_FAILED', message: 'exit code 7', retryable: true });
  });

  it('kills a group whose members ignore SIGTERM with SIGKILL after the grace', async () => {
    const root = makeTempDir();
    const controller = new AbortController();
    const call = sh({ command: "trap '' TERM; sleep 60 & echo $! > bg.pid; wait" }, { root }, { signal: controller.signal });
    const pidFile = path.join(root, 'bg.pid');
    await waitFor(() => readFileSync(pidFile, { flag: 'a+' }).toString().trim() !== '', 'the background pid');
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
    // run() settles only after the kill finished: no waiting needed here.
    expect(processGone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('keeps maxOutputBytes of each stream and marks how much it dropped', async () => {
    const out = await sh({ command: 'head -c 5000 /dev/zero | tr "\\0" a; head -c 300 /dev/zero | tr "\\0" b >&2', maxOutputBytes: 100 });
    expect(out.stdout).toBe(`${'a'.repeat(100)}…[truncated 4900 bytes]`);
    expect(out.stderr).toBe(`${'b'.repeat(100)}…[truncated 200 bytes]`);
  });

  it('parses stdout with output: json', async () => {
    const out = await sh({ command: `printf '{"files":["a.ts","b.ts"]}'`, output: 'json' });
    expect(out.json).toEqual({ files: ['a.ts', 'b.ts'] });
    expect(out.stdout).toBe('{"files":["a.ts","b.ts"]}');
  });

  it('fails invalid json output with OUTPUT_INVALID, not retryable', async () => {
    expect(await failure(sh({ command: 'echo not json', output: 'json' }))).toMatchObject({ code: 'OUTPUT_INVALID', retryable: false });
  });

  it('passes ctx.env with with.env on top', async () => {
    const out = await sh({ command: 'printf "%s-%s" "$FROM_CTX" "$SHARED"', env: { SHARED: 'task' } }, {
      env: { PATH: process.env.PATH ?? '/bin', FROM_CTX: 'ctx', SHARED: 'ctx' },
    });
    expect(out.stdout).toBe('ctx-task');
  });

  it('does not leak the worker process environment into the command', async () => {
    process.env.WEFT_TEST_SECRET_LEAK = 'leaked';
    try {
      const out = await sh({ command: 'printf "%s" "${WEFT_TEST_SECRET_LEAK:-absent}"' });
      expect(out.stdout).toBe('absent');
    } finally {
      delete process.env.WEFT_TEST_SECRET_LEAK;
    }
  });

  it('runs in the root, or in cwd relative to it', async () => {
    const root = makeTempDir();
    mkdirSync(path.join(root, 'sub'));
    expect((await sh({ command: 'pwd -P' }, { root })).stdout.trim()).toBe(realpathSync(root));
    expect((await sh({ command: 'pwd -P', cwd: 'sub' }, { root })).stdout.trim()).toBe(realpathSync(path.join(root, 'sub')));
  });

  it('fails a missing cwd as TASK_FAILED, not retryable', async () => {
    const error = await failure(sh({ command: 'true', cwd: 'no/such/dir' }, { root: makeTempDir() }));
    expect(error).toMatchObject({ code: 'TASK_FAILED', retryable: false });
    expect(error.message).toContain('no/such/dir');
  });

  it('streams each line to the log as it comes, by stream', async () => {
    const lines: string[] = [];
    await sh({ command: 'echo one; echo two >&2; printf "three\\r\\nfour"' }, {}, { onLog: (s, l) => lines.push(`${s}:${l}`) });
    expect(lines.filter((l) => l.startsWith('stdout:'))).toEqual(['stdout:one', 'stdout:three', 'stdout:four']);
    expect(lines.filter((l) => l.startsWith('stderr:'))).toEqual(['stderr:two']);
  });

  it('runs bash when asked', async () => {
    expect((await sh({ command: '[[ 1 == 1 ]] && printf yes', shell: 'bash' })).stdout).toBe('yes');
  });

  it('reports a command killed by a signal as TASK_FAILED, retryable', async () => {
    expect(await failure(sh({ command: 'kill -9 $$' }))).toMatchObject({ code: 'TASK_FAILED', message: 'killed by SIGKILL', retryable: true });
  });
});
