// An e2e pipeline ported: a local HTTP server (a node script) runs as a service, two test tasks
// use it, and when they are done it is stopped with its process group; nothing is left behind.
import { freePort } from '../support/free-port.js';
import { processGone } from '../plugins/process-gone.js';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';
import { waitFor } from '../support/wait.js';

const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
fs.writeFileSync('server.pid', String(process.pid));
const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, items: [1, 2, 3] }));
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync('port.txt', String(server.address().port));
  console.log('listening on ' + server.address().port);
});
`;

// A client that fails unless the server answers 2xx with the expected text.
const CLIENT = `
const [url, expected] = process.argv.slice(2);
fetch(url).then(async (r) => {
  const body = await r.text();
  if (!r.ok || !body.includes(expected)) throw new Error(r.status + ' ' + body);
  console.log(body);
}).catch((e) => { console.error(e.message); process.exit(1); });
`;


const files = { 'server.js': SERVER, 'client.js': CLIENT };

describe('a service task', () => {
  it('starts its dependents once ready, is stopped when they are done, keeps its output, leaves no process', async () => {
    const { report, dir } = await runYaml(
      `
tasks:
  api:
    run: node server.js
    service:
      ready: { log: "listening on \\\\d+" }
      timeout: 20s
  test-items:
    needs: [api]
    run: node client.js "http://127.0.0.1:$(cat port.txt)/items" '"items":[1,2,3]'
  test-health:
    needs: [api]
    run: node client.js "http://127.0.0.1:$(cat port.txt)/health" ok
  summary:
    needs: [test-items, test-health]
    run: echo both passed
`,
      { files },
    );
    expect(Object.fromEntries(Object.entries(report.tasks).map(([id, r]) => [id, r.status]))).toEqual({
      api: 'success',
      'test-items': 'success',
      'test-health': 'success',
      summary: 'success',
    });
    const api = report.tasks.api as { output: { stdout: string; stopped: boolean } };
    expect(api.output.stopped).toBe(true);
    expect(api.output.stdout).toMatch(/^listening on \d+\n$/);
    // The server ran until both tests had ended.
    const ended = (id: string) => (report.tasks[id] as { endedAt: number }).endedAt;
    expect(ended('api')).toBeGreaterThanOrEqual(Math.max(ended('test-items'), ended('test-health')));
    const pid = Number(readFileSync(path.join(dir, 'server.pid'), 'utf8'));
    await waitFor(() => processGone(pid), 'the server process to be gone');
  });

  it('an http check waits for a 2xx; a service never ready fails at its timeout and its dependents are skipped', async () => {
    const { report, dir } = await runYaml(
      `
tasks:
  api:
    run: node server.js
    service:
      ready: { http: "http://127.0.0.1:9/never" }
      timeout: 4s
  test:
    needs: [api]
    run: echo never
`,
      { files },
    );
    expect(report.tasks.api).toMatchObject({ status: 'failed', error: { code: 'TASK_TIMEOUT' } });
    expect((report.tasks.api as { error: { message: string } }).error.message).toContain('never answered 2xx');
    expect(report.tasks.test).toMatchObject({ status: 'skipped', reason: 'upstream' });
    expect((report.tasks.api as { output: { stdout: string } }).output.stdout).toContain('listening on');
    await waitFor(() => existsSync(path.join(dir, 'server.pid')), 'the pid file');
    const pid = Number(readFileSync(path.join(dir, 'server.pid'), 'utf8'));
    await waitFor(() => processGone(pid), 'the server process to be gone');
  });

  it('a tcp check (templated) passes once the port accepts, even at concurrency 1: a ready service gives its slot back', async () => {
    const port = await freePort();
    const { report, dir } = await runYaml(
      `
inputs:
  port: { type: integer }
tasks:
  db:
    run: node -e "require('fs').writeFileSync('db.pid', String(process.pid)); require('net').createServer((c) => c.end()).listen({{inputs.port}}, '127.0.0.1')"
    service: { ready: { tcp: "127.0.0.1:{{inputs.port}}" } }
  migrate:
    needs: [db]
    run: node -e "require('net').connect({{inputs.port}}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
`,
      { files, concurrency: 1, inputs: { port } },
    );
    expect(report.tasks.db).toMatchObject({ status: 'success', output: { stopped: true } });
    expect(report.tasks.migrate?.status).toBe('success');
    const pid = Number(readFileSync(path.join(dir, 'db.pid'), 'utf8'));
    await waitFor(() => processGone(pid), 'the db process to be gone');
  });
});

