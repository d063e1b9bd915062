// An HTTP server on 127.0.0.1 that answers `GET /wait?ms=N` after N ms, counting what it served,
// so a bench row can check that every call of a run really reached it. It runs on a thread of its
// own, as a remote API runs elsewhere: on the bench's thread it would share the event loop with
// the run it serves, and every request would pay for both sides.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export type LatencyServer = {
  url: string;
  /** Requests answered since the last reset. */
  readonly count: number;
  reset(): void;
  close(): Promise<void>;
};

/**
 * Start the server on a free port, on its own thread.
 * @example const server = await startLatencyServer(); await fetch(`${server.url}/wait?ms=25`); server.count // 1
 */
export async function startLatencyServer(): Promise<LatencyServer> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Worker(new URL(import.meta.url), { workerData: { latencyServer: counter } });
  const port = await new Promise<number>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return Atomics.load(counter, 0);
    },
    reset: () => void Atomics.store(counter, 0, 0),
    close: () => thread.terminate().then(() => undefined),
  };
}

/** The server's own thread: answer, count, and say the port once listening. */
function serve(counter: Int32Array): void {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ms = Number(url.searchParams.get('ms') ?? 0);
    setTimeout(() => {
      Atomics.add(counter, 0, 1);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: url.pathname, ms }));
    }, ms);
  });
  // Clients keep connections alive between calls, as a real API client would.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage((server.address() as AddressInfo).port));
}

if (!isMainThread && (workerData as { latencyServer?: Int32Array } | null)?.latencyServer) serve((workerData as { latencyServer: Int32Array }).latencyServer);
