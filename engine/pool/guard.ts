// What keeps one task's misbehaviour inside that task, in a worker thread. Each call runs in an
// AsyncLocalStorage context, so whatever its code does later (a timer that throws, a console
// line, process.exit) is traced back to it: the call fails, its thread and neighbours do not.
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { WeftError } from '../errors.js';

/** The call whose code is running: where its console lines go, and how to fail it from outside. */
export type CallScope = {
  log(stream: 'stdout' | 'stderr', line: string): void;
  /** Fail the call now, whatever its executor is still doing. */
  fail(error: unknown): void;
};

const calls = new AsyncLocalStorage<CallScope>();

/** Run `fn` as the call `scope`: errors and console output of everything it starts are the call's. */
export function runAsCall<T>(scope: CallScope, fn: () => T): T {
  return calls.run(scope, fn);
}

/**
 * Install the guards on this thread (once, at worker start):
 * - console.* writes to the running call's log (stdout or stderr), masked and prefixed like a
 *   shell task's output; outside any call it goes to stderr, never to weft's stdout (`--json`);
 * - process.exit() fails the call that made it and never ends the thread;
 * - an uncaught exception or unhandled rejection fails the call that caused it.
 */
export function installGuards(): void {
  const write = (stream: 'stdout' | 'stderr') => (...args: unknown[]) => {
    const text = format(...args);
    const call = calls.getStore();
    if (!call) {
      process.stderr.write(`${text}\n`);
      return;
    }
    for (const line of text.split('\n')) call.log(stream, line);
  };
  for (const name of ['log', 'info', 'debug'] as const) console[name] = write('stdout');
  for (const name of ['error', 'warn', 'trace'] as const) console[name] = write('stderr');

  process.exit = ((code?: number | string | null) => {
    const error = new WeftError('TASK_FAILED', `the task called process.exit(${code ?? ''}); a task cannot end weft's worker thread`);
    calls.getStore()?.fail(error);
    // Unwinds the task's code as a real exit would have; the thread lives on.
    throw error;
  }) as typeof process.exit;

  const blame = (kind: string) => (reason: unknown) => {
    const error = new WeftError('TASK_FAILED', `${kind}: ${reason instanceof Error ? reason.message : String(reason)}`);
    const call = calls.getStore();
    if (call) call.fail(error);
    else process.stderr.write(`weft: ${error.message}\n`);
  };
  process.on('uncaughtException', blame('uncaught exception'));
  process.on('unhandledRejection', blame('unhandled rejection'));
}
