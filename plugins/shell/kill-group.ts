import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stop a process group: SIGTERM to every member, then SIGKILL to whatever is left after
 * `graceMs`. Resolves once the group is gone or has been sent SIGKILL, so a caller that
 * awaits it never leaves a backgrounded child (`sleep 100 &`) behind.
 * @example await killGroup(child.pid, 1000)
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(20);
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

/** Send `signal` to the group led by `pgid`; false when no process of the group is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: a member exists but is not ours to signal; it still counts as alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
