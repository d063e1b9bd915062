import { processGone } from '../plugins/process-gone.js';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';
import { waitFor } from '../support/wait.js';
import type { AddressInfo } from 'node:net';


let server: Server;
let base: string;
const hits = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = req.url ?? '/';
    const list = hits.get(key) ?? [];
    list.push(Date.now());
    hits.set(key, list);
    if (key.startsWith('/bad')) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request"}');
    } else if (key.startsWith('/flaky')) {
      if (list.length < 3) res.writeHead(503).end('busy');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('failure semantics', () => {
  it('retries a retryable error the declared number of times, with growing delays', async () => {
    const { report, events } = await runYaml(`tasks:
  call:
    uses: http
    with: { url: "${base}/flaky" }
    retry: { attempts: 4, delay: 300ms, backoff: exponential, factor: 3, jitter: false }
`);
    expect(report.status).toBe('success');
    expect(report.tasks.call!.attempts).toBe(3);
    const times = hits.get('/flaky')!;
    expect(times).toHaveLength(3);
    // The delays the engine chose: 300 ms, then 300 x 3. The server saw no retry before its delay
    // was over (a lower bound, which load on the machine can only lengthen).
    const delays = events.flatMap((e) => (e.type === 'task:retry' ? [e.delayMs] : []));
    expect(delays).toEqual([300, 900]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(delays[0]! - 5);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(delays[1]! - 5);
  });

  it('does not retry a 400 from http', async () => {
    const { report } = await runYaml(`tasks:
  call:
    uses: http
    with: { url: "${base}/bad" }
    retry: { attempts: 5, delay: 10ms }
`);
    const call = report.tasks.call!;
    expect(call.status).toBe('failed');
    expect(call.attempts).toBe(1);
    expect(hits.get('/bad')).toHaveLength(1);
  });

  it('kills every process of a task that times out', async () => {
    const { report, dir } = await runYaml(`tasks:
  hang:
    run: "sleep 30 & echo $! > child.pid; sleep 30"
    timeout: 300ms
`);
    const hang = report.tasks.hang!;
    expect(hang.status).toBe('failed');
    expect(hang.status === 'failed' && hang.error.code).toBe('TASK_TIMEOUT');
    const pid = Number(readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    await waitFor(() => processGone(pid), `process ${pid} to end`, 5000);
  });

  it('runs `when: always` after a failure, and skips dependents of the failure', async () => {
    const { report } = await runYaml(`tasks:
  broken: { run: "exit 3" }
  next: { needs: [broken], run: "true" }
  cleanup: { needs: [broken], when: always, run: "true" }
  on-failure: { needs: [broken], when: failure, run: "true" }
`);
    expect(report.status).toBe('failed');
    expect(report.tasks.broken!.status).toBe('failed');
    expect(report.tasks.next).toMatchObject({ status: 'skipped', reason: 'upstream' });
    expect(report.tasks.cleanup!.status).toBe('success');
    expect(report.tasks['on-failure']!.status).toBe('success');
  });

  it('failFast: no new task starts after a failure; running ones finish', async () => {
    const { report, dir } = await runYaml(`concurrency: 2
tasks:
  broken: { run: "touch broke; exit 1" }
  # Ends a wide margin after broken has exited, so the failure is known by then.
  running: { run: "while [ ! -f broke ]; do sleep 0.02; done; sleep 1; touch finished" }
  later: { needs: [running], run: "touch later" }
`);
    expect(report.status).toBe('failed');
    expect(report.tasks.running!.status).toBe('success');
    expect(existsSync(path.join(dir, 'finished'))).toBe(true);
    expect(report.tasks.later).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    expect(existsSync(path.join(dir, 'later'))).toBe(false);
  });

  it('--keep-going runs independent work after a failure', async () => {
    const { report } = await runYaml(`concurrency: 2
tasks:
  broken: { run: "exit 1" }
  running: { run: "sleep 0.3" }
  later: { needs: [running], run: "true" }
`, { keepGoing: true });
    expect(report.status).toBe('failed');
    expect(report.tasks.later!.status).toBe('success');
  });

  it('continueOnError: dependents treat the failure as success; fan-out errors land in tasks.x.errors', async () => {
    const { report } = await runYaml(`tasks:
  each:
    forEach: [1, 2, 3]
    continueOnError: true
    run: "test {{item}} -ne 2"
  sum:
    needs: [each]
    uses: node
    with: { module: sum.mjs, input: { outputs: "{{tasks.each.outputs}}", errors: "{{tasks.each.errors}}" } }
`, { files: { 'sum.mjs': 'export default ({ outputs, errors }) => ({ nulls: outputs.filter((o) => o === null).length, codes: errors.map((e) => e && e.code) });\n' } });
    expect(report.status).toBe('success');
    expect(report.tasks['each[1]']!.status).toBe('failed');
    const sum = report.tasks.sum!;
    expect(sum.status === 'success' && sum.output).toEqual({ nulls: 1, codes: [null, 'TASK_FAILED', null] });
  });

  it('skips a task whose `if` is falsy', async () => {
    const { report } = await runYaml(`inputs: { go: { type: boolean, default: false } }
tasks:
  maybe: { if: "{{inputs.go}}", run: "true" }
`);
    expect(report.tasks.maybe).toMatchObject({ status: 'skipped', reason: 'condition' });
  });
});
