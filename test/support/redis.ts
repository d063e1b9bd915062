// A real redis-server per test file, on a free port in a temp folder, and real `weft worker`
// child processes. Without redis-server the queue tests skip with a reason, except in CI.
import { freePort } from './free-port.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { makeTempDir } from './project.js';
import { waitFor } from './wait.js';

const binPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/weft.js');

/** Whether redis-server can be run here; in CI its absence is a failure, not a skip. */
export const hasRedis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasRedis && process.env.CI === 'true') {
  throw new Error('redis-server is not installed: the queue tests need it in CI (apt-get install redis-server)');
}
export const skipReason = hasRedis ? '' : ' [skipped: redis-server is not installed]';


export type RedisServer = { url: string; port: number; client: Redis; stop(): Promise<void>; restart(): Promise<void> };

/**
 * Start redis-server with no persistence on a free port; `client` is connected to it.
 * @example const redis = await startRedis(); … await redis.stop();
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = makeTempDir('weft-redis-');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (s: Buffer) => (out += s.toString()));
    await waitFor(() => out.includes('Ready to accept connections'), 'redis-server to accept connections');
  };
  await launch();
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on('error', () => {});
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    stop,
    restart: launch,
  };
}

/**
 * Every command the server runs from now on, as the lines MONITOR prints for them
 * (`1796158632.942522 [0 127.0.0.1:38810] "bzpopmin" "key" "5"`). A raw socket: ioredis's
 * monitor() throws "Command queue state error" when a busy server sends the first line in the
 * same chunk as the OK, before ioredis has switched the connection to monitoring.
 * @example const monitor = await monitorRedis(port); …; monitor.stop(); monitor.lines
 */
export async function monitorRedis(port: number): Promise<{ lines: string[]; stop(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const lines: string[] = [];
  let buffer = '';
  await new Promise<void>((ready, fail) => {
    socket.once('error', fail);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line === '+OK') ready();
        else lines.push(line.slice(1));
      }
    });
    socket.write('MONITOR\r\n');
  });
  return { lines, stop: () => socket.destroy() };
}

export type WorkerProcess = { child: ChildProcess; pid: number; output(): string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/**
 * Spawn `weft worker` in `cwd` and wait for its ready line.
 * @example const w = await startWorker(dir, redis.url, ['--concurrency', '2'])
 */
export async function startWorker(cwd: string, url: string, args: string[] = [], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [binPath, 'worker', '--queue', url, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (s: Buffer) => (text += s.toString()));
  child.stderr!.on('data', (s: Buffer) => (text += s.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => text.includes(' ready: ') || child.exitCode !== null, 'weft worker to start', 60_000);
  if (child.exitCode !== null) throw new Error(`weft worker exited ${child.exitCode}: ${text}`);
  return {
    child,
    pid: child.pid!,
    output: () => text,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // A test must not leave a worker behind, even one that fails to stop.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
