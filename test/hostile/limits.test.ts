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
