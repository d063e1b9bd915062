// A throw-away redis-server and `weft worker` processes for the workers bench.
import { freePort } from '../../test/support/free-port.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const binPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/weft.js');

/** Whether redis-server can be started here. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}


/** Resolve once `child`'s output contains `text`; reject if it exits first. */
function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before "${text}": ${out}`)));
  });
}

/**
 * redis-server without persistence on a free port; `stop()` kills it and removes its folder.
 * @example const redis = await startRedisServer(); … await redis.stop();
 */
export async function startRedisServer(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, 'Ready to accept connections');
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `count` `weft worker` processes in `cwd`, each ready; `stop()` sends SIGTERM and waits. */
export async function startWorkers(cwd: string, url: string, count: number, concurrency: number): Promise<{ pids: number[]; stop(): Promise<void> }> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [binPath, 'worker', '--queue', url, '--concurrency', String(concurrency)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  await Promise.all(children.map((c) => waitForOutput(c, ' ready: ')));
  return {
    pids: children.map((c) => c.pid!),
    async stop() {
      await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGTERM')))));
    },
  };
}

/**
 * CPU time (user + system, ms) a process has used, from /proc; undefined off Linux. On a loaded
 * machine wall time says more about the neighbours than about weft; CPU time does not.
 */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
