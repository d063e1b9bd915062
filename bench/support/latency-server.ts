// An HTTP server on 127.0.0.1 that answers `GET /wait?ms=N` after N ms, counting what it served,
// so a bench row can check that every call of a run really reached it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LatencyServer = {
  url: string;
  /** Requests answered since the last reset. */
  readonly count: number;
  reset(): void;
  close(): Promise<void>;
};

/**
 * Start the server on a free port.
 * @example const server = await startLatencyServer(); await fetch(`${server.url}/wait?ms=25`); server.count // 1
 */
export async function startLatencyServer(): Promise<LatencyServer> {
  let count = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ms = Number(url.searchParams.get('ms') ?? 0);
    setTimeout(() => {
      count++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: url.pathname, ms }));
    }, ms);
  });
  // Clients keep connections alive between calls, as a real API client would.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return count;
    },
    reset: () => (count = 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
