// One command's process, from spawn to the end that counts: its own process group, output as it
// comes, and an end that does not wait on a background child still holding the pipes. Run here
// (before the spawn helper is up, or without one) and inside the helper (plugins/shell/helper.ts).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { groupAlive } from './kill-group.js';

// How long the pipes may stay open after the shell exited: enough to read what the shell itself
// wrote (already in the pipe), not long enough to wait on a background child that holds them.
const drainAfterExitMs = 100;

/** What to start: a program and its arguments, where, with which environment. */
export type ProcessRequest = { file: string; args: string[]; cwd: string; env: Record<string, string> };

/** How the process ended. */
export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null };

/** What the process does while it runs: its pid once started, then its output. */
export type ProcessEvents = {
  onPid(pid: number): void;
  onData(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Its output streams, for a caller that must pause them while it cannot keep up. */
  onStreams?(streams: Readable[]): void;
};

/**
 * Spawn `request` in a process group of its own and follow it to its end. Rejects with the
 * spawn's error (code ENOENT, EACCES, …) when it cannot start.
 * @example const exit = await runProcess({ file: 'true', args: [], cwd, env }, { onPid() {}, onData() {} });
 */
export function runProcess(request: ProcessRequest, events: ProcessEvents): Promise<ProcessExit> {
  const child = spawn(request.file, request.args, {
    cwd: request.cwd,
    env: request.env,
    // Its own process group, so one kill reaches everything the command started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) events.onPid(child.pid);
  child.stdout.on('data', (chunk: Buffer) => events.onData('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => events.onData('stderr', chunk));
  events.onStreams?.([child.stdout, child.stderr]);
  return waitForShell(child);
}

/**
 * Settles when the shell exits, not when its pipes close: `server &` or `sleep 1201 & echo started`
 * leaves a background child holding stdout, and the task ends with its shell (as make and
 * GitHub Actions do). Everything the shell wrote is read first (dropPipesIfHeld).
 */
function waitForShell(child: ChildProcessByStdio<null, Readable, Readable>): Promise<ProcessExit> {
  return new Promise((resolve, reject) => {
    let stopWatch: (() => void) | undefined;
    child.once('error', reject);
    child.once('close', (code, sig) => {
      stopWatch?.();
      resolve({ code, signal: sig });
    });
    child.once('exit', (code, sig) => {
      stopWatch = dropPipesIfHeld(child.pid, () => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal: sig });
      });
    });
  });
}

/**
 * A shell with process group `pgid` exited and its pipes are still open. While no member of the
 * group is left, they will close once read (a loaded machine may not have read the last output
 * yet): keep waiting. Once a live member holds them (a background child), `drop` them: the task
 * does not wait for it. Returns what stops this watch (the pipes closed by themselves).
 * @example const stop = dropPipesIfHeld(child.pid, () => child.stdout.destroy());
 */
export function dropPipesIfHeld(pgid: number | undefined, drop: () => void): () => void {
  let timer: NodeJS.Timeout;
  const check = (): void => {
    if (pgid === undefined || !groupAlive(pgid)) timer = setTimeout(check, drainAfterExitMs);
    else drop();
  };
  timer = setTimeout(check, drainAfterExitMs);
  return () => clearTimeout(timer);
}
