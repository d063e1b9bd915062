// Readiness of a service task: an http URL answering 2xx, a TCP port accepting a connection, or
// a line of its output matching a pattern. Polled on the main thread while the service runs.
import { connect } from 'node:net';
import type { ReadyCheck } from '../types.js';

const POLL_MS = 100;

export type ReadyWatch = {
  /** Feed each output line (the `log` check reads them). */
  line(text: string): void;
  /** Stop polling (the service ended or was stopped). */
  stop(): void;
};

/**
 * Watch `check` until it passes (`onReady`) or `timeoutMs` runs out (`onTimeout`); whichever
 * comes first, once. Polls every 100 ms.
 * @example const watch = watchReady({ http: 'http://127.0.0.1:8080/health' }, 30_000, { onReady, onTimeout })
 */
export function watchReady(check: ReadyCheck, timeoutMs: number, on: { onReady(): void; onTimeout(): void }): ReadyWatch {
  let done = false;
  const finish = (fn: () => void): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    clearTimeout(poller);
    fn();
  };
  const deadline = setTimeout(() => finish(on.onTimeout), timeoutMs);
  let poller: NodeJS.Timeout | undefined;
  const pattern = 'log' in check ? new RegExp(check.log) : undefined;
  const probe = 'http' in check ? () => probeHttp(check.http) : 'tcp' in check ? () => probeTcp(check.tcp) : undefined;
  const poll = async (): Promise<void> => {
    if (done || !probe) return;
    if (await probe()) return finish(on.onReady);
    if (!done) poller = setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  return {
    line(text) {
      if (pattern?.test(text)) finish(on.onReady);
    },
    stop() {
      done = true;
      clearTimeout(deadline);
      clearTimeout(poller);
    },
  };
}

async function probeHttp(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}

/** `8080` or `host:8080`; the host defaults to 127.0.0.1. */
function probeTcp(target: string): Promise<boolean> {
  const at = target.lastIndexOf(':');
  const host = at === -1 ? '127.0.0.1' : target.slice(0, at);
  const port = Number(at === -1 ? target : target.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const end = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}
