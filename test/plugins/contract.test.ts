// The executor contract, run against every built-in executor. Another executor joins with one entry.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { describeExecutorContract, waitFor, type ContractCase } from './contract.js';
import { makeTempDir } from './helpers.js';
import { sendJson, startServer } from './http-server.js';
import { processGone } from './process-gone.js';
import { startFakeAnthropic } from '../support/fake-anthropic.js';

const shellCase: ContractCase = {
  executor: 'shell',
  async setup() {
    const root = makeTempDir();
    const pidFile = path.join(root, 'bg.pid');
    return {
      ctx: { root },
      ok: { with: { command: 'printf hi' }, check: (out) => expect(out).toEqual({ exitCode: 0, stdout: 'hi', stderr: '' }) },
      failing: { with: { command: 'exit 3' }, code: 'TASK_FAILED', retryable: true },
      // A backgrounded child in the group: the abort must reach it too, not only the shell.
      slow: { with: { command: 'sleep 60 & echo $! > bg.pid; wait' } },
      started: () => waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the background pid'),
      async afterAbort() {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        rmSync(pidFile);
        await waitFor(() => processGone(pid), `background process ${pid} to be gone`, 5000);
      },
    };
  },
};

const nodeCase: ContractCase = {
  executor: 'node',
  async setup() {
    const dir = makeTempDir();
    const startedFile = path.join(dir, 'started');
    const abortedFile = path.join(dir, 'aborted');
    return {
      ok: { with: { module: 'functions.js', export: 'echo', input: [1, 'two'] }, check: (out) => expect(out).toMatchObject({ input: [1, 'two'], attempt: 1 }) },
      failing: { with: { module: 'functions.js', export: 'fail' }, code: 'TASK_FAILED', retryable: true },
      slow: { with: { module: 'functions.js', export: 'waitForAbortMarked', input: { startedFile, abortedFile } } },
      started: () => waitFor(() => existsSync(startedFile), 'the function to start'),
      async afterAbort() {
        // The function's own signal fired, so it could clean up: no thread was terminated.
        await waitFor(() => existsSync(abortedFile), 'the function to see its abort');
        rmSync(startedFile);
        rmSync(abortedFile);
      },
    };
  },
};

const httpCase: ContractCase = {
  executor: 'http',
  async setup() {
    let hanging = 0;
    const server = await startServer({
      '/ok': (req, body, res) => sendJson(res, 200, { hello: 'world' }),
      '/unavailable': (req, body, res) => sendJson(res, 503, { error: 'down' }),
      // Never answers; counts the requests whose connection is still open.
      '/hang': (req, body, res) => {
        hanging++;
        res.on('close', () => hanging--);
      },
    });
    return {
      ok: { with: { url: `${server.url}/ok` }, check: (out) => expect(out).toMatchObject({ status: 200, body: { hello: 'world' } }) },
      failing: { with: { url: `${server.url}/unavailable` }, code: 'HTTP_ERROR', retryable: true },
      slow: { with: { url: `${server.url}/hang` } },
      started: () => waitFor(() => hanging > 0, 'the request to arrive'),
      afterAbort: () => waitFor(() => hanging === 0, 'the aborted request to close its connection'),
      teardown: () => server.close(),
    };
  },
};

const templateCase: ContractCase = {
  executor: 'template',
  async setup() {
    const root = makeTempDir();
    return {
      ctx: { root, options: { scope: { inputs: { who: 'world' } } } },
      ok: {
        with: { source: 'Hello {{inputs.who}} and {{data.name}}', to: 'out/hello.txt', data: { name: 'weft' } },
        check(out) {
          expect(out).toEqual({ path: 'out/hello.txt', bytes: 'Hello world and weft'.length });
          expect(readFileSync(path.join(root, 'out/hello.txt'), 'utf8')).toBe('Hello world and weft');
        },
      },
      failing: { with: { source: 'x', to: '../escape.txt' }, code: 'TASK_FAILED', retryable: false },
      // Nothing to wait on: rendering and one rename. The already-aborted case still applies.
    };
  },
};

const llmCase: ContractCase = {
  executor: 'llm',
  async setup() {
    const fake = await startFakeAnthropic({
      // The prompt says what to do: hang until the client goes away, fail with 400, or answer.
      respond: (body) => {
        const text = JSON.stringify(body.messages);
        if (text.includes('hang')) return { text: 'late', latencyMs: 120_000 };
        if (text.includes('invalid')) return { error: { status: 400, message: 'bad request' } };
        return 'hello from the fake';
      },
    });
    return {
      ctx: {
        root: makeTempDir(),
        model: 'claude-haiku-5-5',
        env: { ANTHROPIC_API_KEY: 'test-key' },
        options: { baseURL: fake.url, cache: false },
      },
      ok: { with: { prompt: 'Say hi' }, check: (out) => expect(out).toMatchObject({ text: 'hello from the fake', model: 'claude-haiku-5-5' }) },
      failing: { with: { prompt: 'invalid please' }, code: 'HTTP_ERROR', retryable: false },
      slow: { with: { prompt: 'hang please' } },
      started: () => waitFor(() => fake.inFlight > 0, 'the request to arrive'),
      afterAbort: () => waitFor(() => fake.inFlight === 0, 'the aborted request to close its connection'),
      teardown: () => fake.close(),
    };
  },
};

describeExecutorContract([shellCase, nodeCase, httpCase, templateCase, llmCase]);

