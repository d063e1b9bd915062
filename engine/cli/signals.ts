import type { TerminationSignal } from './io.js';

/**
 * The default `onSignal`: listen to the process's SIGINT and SIGTERM. The listener is removed
 * after the first signal, so a second Ctrl-C falls back to Node's default and ends the process
 * at once, even if a task ignores the abort.
 * @example const off = onProcessSignal((sig) => controller.abort(sig)); … off();
 */
export function onProcessSignal(listener: (signal: TerminationSignal) => void): () => void {
  const signals: TerminationSignal[] = ['SIGINT', 'SIGTERM'];
  const handler = (signal: TerminationSignal) => {
    off();
    listener(signal);
  };
  const off = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.once(s, handler);
  return off;
}

/** Shell convention: 128 + the signal number. */
export function exitCodeForSignal(signal: TerminationSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}
