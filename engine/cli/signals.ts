import type { TerminationSignal } from './io.js';

/**
 * The default `onSignal`: listen to the process's SIGINT and SIGTERM. The first signal cancels
 * the run (cleanup tasks still run, within the grace period); the second ends the cleanup and the
 * run ends at once, killing what it started. The listener is removed after the second, so a third
 * falls back to Node's default and ends the process at once, even if something ignores the abort.
 * @example const off = onProcessSignal((sig) => controller.abort(sig)); … off();
 */
export function onProcessSignal(listener: (signal: TerminationSignal) => void): () => void {
  const signals: TerminationSignal[] = ['SIGINT', 'SIGTERM'];
  let heard = 0;
  const handler = (signal: TerminationSignal) => {
    heard += 1;
    if (heard >= 2) off();
    listener(signal);
  };
  const off = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return off;
}

/** Shell convention: 128 + the signal number. */
export function exitCodeForSignal(signal: TerminationSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}
