// Nothing a run started outlives weft, even when weft is killed with SIGKILL (which no handler
// sees). Every process a run starts carries WEFT_OWNER=<token> in its environment, inherited by
// everything it starts in turn (a `sleep 300 &` included). A small `sh` watchdog, in its own
// process group so a terminal's Ctrl-C does not reach it, waits on a pipe from weft: at a normal
// end weft writes "done" and it exits; if the pipe closes without it (weft died), it kills every
// process whose environment holds the token. Linux only (it reads /proc); elsewhere nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

/** The variable that marks a run's processes. */
export const OWNER_ENV = 'WEFT_OWNER';

// $1 is the token. `read` returns at "done" or at end of file; only the latter means weft died.
const SCRIPT = `trap '' INT TERM HUP
IFS= read -r line
[ "$line" = done ] && exit 0
for f in /proc/[0-9]*/environ; do
  if tr '\\0' '\\n' < "$f" 2>/dev/null | grep -qxF "${OWNER_ENV}=$1"; then
    p=\${f#/proc/}; kill -KILL "\${p%/environ}" 2>/dev/null
  fi
done`;

export interface Watchdog {
  /** The env entry every process of the run gets. */
  readonly env: Record<string, string>;
  /** A process is about to start: have the watchdog running (spawned once, on first use). */
  arm(): void;
  /** The run ended normally: the watchdog exits without killing anything. */
  release(): void;
}

/**
 * The watchdog of one run, or undefined where it cannot work (no /proc). Its process is spawned
 * by the first arm(), so a run that starts nothing (every task up to date) spawns nothing.
 * @example const watchdog = createWatchdog(); runEnv = { ...runEnv, ...watchdog?.env }; watchdog?.arm(); …; watchdog?.release()
 */
export function createWatchdog(): Watchdog | undefined {
  if (process.platform !== 'linux' || !existsSync('/proc/self/environ')) return undefined;
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  let child: ChildProcess | undefined;
  let armed = false;
  return {
    env: { [OWNER_ENV]: token },
    arm() {
      if (armed) return;
      armed = true;
      child = spawnWatchdog(token);
    },
    release() {
      child?.stdin?.end('done\n');
    },
  };
}

function spawnWatchdog(token: string): ChildProcess | undefined {
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', SCRIPT, 'weft-watchdog', token], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return undefined;
  }
  child.on('error', () => {});
  child.stdin!.on('error', () => {});
  // Neither the process nor its pipe may keep weft's event loop alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}
