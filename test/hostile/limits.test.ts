// Hostile probes on limits: durations beyond what a timer can hold, sizes beyond what memory can hold.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../engine/types.js';
import { startServer } from '../plugins/http-server.js';
import { makeProject, runYaml, spawnBin, stackLines, waitFor } from './support.js';

describe('durations above 2^31 ms (item 7)', () => {
  it('are refused at their FILE:LINE:COL, every one, and the other problems still reported', async () => {
    const cwd = makeProject({
      'long.yaml': [
        'tasks:',
        '  a: { run: echo a, timeout: 1000h }',
        '  b: { run: echo b, retry: { attempts: 2, delay: 1000h, maxDelay: 2147483648 } }',
        '  c: { needs: [ghost], run: echo c }',
        '',
      ].join('\n'),
    });
    const result = await spawnBin(['validate', 'long.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(stackLines(result.stderr)).toEqual([]);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^long\.yaml:2:\d+: tasks\.a\.timeout: "1000h" is longer than 576h/),
      expect.stringMatching(/^long\.yaml:3:\d+: tasks\.b\.retry\.delay: "1000h" is longer than 576h/),
      expect.stringMatching(/^long\.yaml:3:\d+: tasks\.b\.retry\.maxDelay: 2147483648 is longer than 576h/),
      expect.stringMatching(/^long\.yaml:4:\d+: .*no task "ghost"/),
    ]);
  });

  it('a server retry-after of 99999999 s waits (at most 576h) instead of retrying at once', async () => {
    const server = await startServer({ '/busy': (_req, _body, res) => res.writeHead(429, { 'retry-after': '99999999' }).end() });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const controller = new AbortController();
    try {
      const events: RunEvent[] = [];
      const run = runYaml(
        `tasks:\n  call: { uses: http, with: { url: "${server.url}/busy" }, retry: { attempts: 2, delay: 10ms } }\n`,
        { signal: controller.signal, onEvent: (e) => events.push(e) },
      );
      await waitFor(() => events.some((e) => e.type === 'task:retry'), 'the retry to be scheduled');
      // The warning is emitted on the next tick after a timer overflows; let it arrive.
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      await run.catch(() => {});
      const retry = events.find((e) => e.type === 'task:retry') as Extract<RunEvent, { type: 'task:retry' }>;
      expect(retry.delayMs).toBe(576 * 3_600_000);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
      expect(server.requests).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
      await server.close();
    }
  });
});

describe('limits without bounds (item 8)', () => {
  it('workers: 100000 in weft.config.yaml is refused at its line, exit 2', async () => {
    const cwd = makeProject({ 'weft.config.yaml': 'workers: 100000\n', 'pipelines/one.yaml': 'tasks:\n  a: { run: echo a }\n' });
    const result = await spawnBin(['validate', 'one'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^weft\.config\.yaml:1:\d+: workers: .*64/m);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('an endless http body is cut at maxBytes with a marker, and the rest is not downloaded', async () => {
    let sent = 0;
    let stopped = false;
    const server = await startServer({
      '/endless': (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = () => {
          while (!stopped && sent < 512 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (stopped = true));
        pump();
      },
    });
    try {
      const { report } = await runYaml(`tasks:\n  get: { uses: http, with: { url: "${server.url}/endless", maxBytes: 1000 } }\n`);
      const get = report.tasks.get as { status: string; output: { body: string } };
      expect(get.status).toBe('success');
      expect(get.output.body).toBe(`${'a'.repeat(1000)}…[truncated at 1000 bytes]`);
      await waitFor(() => stopped, 'the server to see the connection close');
      expect(sent).toBeLessThan(512 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it('a 20 MB body is cut at the 1 MiB default, with its size in the marker', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 'b');
    const server = await startServer({ '/big': (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(big.length) }).end(big) });
    try {
      const { report } = await runYaml(`tasks:\n  get: { uses: http, with: { url: "${server.url}/big" } }\n`);
      const body = (report.tasks.get as { output: { body: string } }).output.body;
      expect(body).toBe(`${'b'.repeat(1024 * 1024)}…[truncated ${big.length - 1024 * 1024} bytes]`);
    } finally {
      await server.close();
    }
  });
});
