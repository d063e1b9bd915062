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
  /** The run ended normally: the watchdog exits without killing anything. */
  release(): void;
}

/**
 * Start the watchdog of one run, or undefined where it cannot work (no /proc).
 * @example const watchdog = startWatchdog(); runEnv = { ...runEnv, ...watchdog?.env }; …; watchdog?.release()
 */
export function startWatchdog(): Watchdog | undefined {
  if (process.platform !== 'linux' || !existsSync('/proc/self/environ')) return undefined;
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
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
  return {
    env: { [OWNER_ENV]: token },
    release() {
      child.stdin!.end('done\n');
    },
  };
}
