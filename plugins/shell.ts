// `uses: shell` (and the `run:` shorthand): a command in its own process group, output captured.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WeftError } from '../engine/plugin.js';
import type { Executor } from '../engine/plugin.js';
import { directArgv } from './shell/argv.js';
import { createCapture } from './shell/capture.js';
import { killGroup } from './shell/kill-group.js';
import type { ProcessExit } from './shell/process.js';
import { startProcess, warmSpawner } from './shell/spawner.js';

export type ShellWith = {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  shell?: 'sh' | 'bash' | '/bin/sh' | '/bin/bash';
  output?: 'text' | 'json';
  maxOutputBytes?: number;
};

export type ShellOutput = { exitCode: number; stdout: string; stderr: string; json?: unknown };

const defaultMaxOutputBytes = 1024 * 1024;
// Below the pool's 2 s grace, so the group is dead before the pool gives up on the call.
const killGraceMs = 1000;

/**
 * Runs `command` with `sh -c` (or bash) in the project root or `cwd`. On abort the whole
 * process group gets SIGTERM, then SIGKILL, and the call settles only after that.
 * A non-zero exit is TASK_FAILED `exit code N`, retryable (the task's retry policy decides).
 * @example
 * // tasks: { scan: { run: "git ls-files {{inputs.glob}}" } }  ->  { exitCode: 0, stdout: "a.ts\n", stderr: "" }
 */
export const shell: Executor<ShellWith, ShellOutput> = {
  description: 'Run a shell command; output { exitCode, stdout, stderr, json? }',
  shellFields: ['command'],
  outputFields: ['exitCode', 'stdout', 'stderr', 'json'],
  // A spawn forks the process that spawns, and the cost grows with its size: after the first few,
  // small helper processes do the spawning (plugins/shell/spawner.ts), so a call is a message and
  // runs on the main thread, with no hop to a worker thread.
  inline: 'always',
  // The native spawn helper starts while the run sets up, so the first task does not wait for it.
  warmUp: async () => warmSpawner(),
  schema: {
    type: 'object',
    required: ['command'],
    additionalProperties: false,
    properties: {
      command: {
        type: 'string',
        minLength: 1,
        description: 'Command line given to the shell with -c; {{x}} is inserted quoted for where it stands, {{{x}}} raw. Several lines run with -e (and -o pipefail under bash)',
      },
      cwd: { type: 'string', description: 'Working directory, relative to the project root (default: the root)' },
      env: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Extra environment variables, on top of the process, pipeline and task env',
      },
      shell: { type: 'string', enum: ['sh', 'bash', '/bin/sh', '/bin/bash'], default: '/bin/sh', description: 'Shell that runs the command' },
      output: { type: 'string', enum: ['text', 'json'], default: 'text', description: 'json: parse stdout into output.json (invalid JSON fails with OUTPUT_INVALID)' },
      maxOutputBytes: {
        type: 'integer',
        minimum: 0,
        default: defaultMaxOutputBytes,
        description: 'Bytes of stdout and of stderr kept in the output; the rest is counted in a truncation marker',
      },
    },
  },
  async run(w, ctx) {
    const { signal } = ctx;
    signal.throwIfAborted();
    const limit = w.maxOutputBytes ?? defaultMaxOutputBytes;
    const stdout = createCapture(limit, (line) => ctx.log('stdout', line));
    const stderr = createCapture(limit, (line) => ctx.log('stderr', line));
    // A plain `prog arg…` is exec'd directly; anything a shell must read goes through one.
    const argv = directArgv(w.command);
    const file = argv ? argv[0]! : shellPath(w.shell);
    const cwd = path.resolve(ctx.root, w.cwd ?? '.');
    // The run's env object itself when the task adds nothing: its difference from the helper's env is computed once.
    const env = w.env && Object.keys(w.env).length ? { ...ctx.env, ...w.env } : ctx.env;

    let pid: number | undefined;
    let killing: Promise<void> | undefined;
    const kill = () => {
      if (pid !== undefined) killing ??= killGroup(pid, killGraceMs);
    };
    signal.addEventListener('abort', kill, { once: true });
    let exit: ProcessExit;
    try {
      exit = await startProcess(
        { file, args: argv ? argv.slice(1) : [...strictFlags(w), '-c', w.command], cwd, env },
        {
          onPid(started) {
            pid = started;
            // Aborted before the process was known: stop it now.
            if (signal.aborted) kill();
          },
          onData: (stream, chunk) => (stream === 'stdout' ? stdout : stderr).write(chunk),
        },
      );
    } catch (cause) {
      // spawn reports a missing cwd as a missing program (ENOENT); name the real culprit.
      if (!existsSync(cwd)) throw new WeftError('TASK_FAILED', `cannot start ${file}: cwd ${w.cwd ?? cwd} does not exist`, { cause });
      const code = (cause as NodeJS.ErrnoException).code;
      // Exec'd directly, a program that is missing or not executable fails as under a shell: 127 or 126.
      if (argv && (code === 'ENOENT' || code === 'EACCES')) {
        const missing = code === 'ENOENT';
        stderr.write(Buffer.from(`${file}: ${missing ? 'command not found' : 'permission denied'}\n`));
        exit = { code: missing ? 127 : 126, signal: null };
      } else throw new WeftError('TASK_FAILED', `cannot start ${file}: ${(cause as Error).message}`, { cause });
    } finally {
      signal.removeEventListener('abort', kill);
      // Settle only once the group is dead: nothing the command started outlives the task.
      if (killing) await killing;
    }
    if (signal.aborted) throw signal.reason;

    const output: ShellOutput = { exitCode: exit.code ?? -1, stdout: stdout.finish(), stderr: stderr.finish() };
    if (exit.code !== 0) {
      const why = exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
      throw new WeftError('TASK_FAILED', why, { retryable: true });
    }
    if (w.output === 'json') output.json = parseJson(output.stdout, stdout.truncated);
    return output;
  },
};

/**
 * A script of several lines stops at its first failing line, as GitHub Actions runs steps:
 * `-e`, plus `-o pipefail` under bash (sh has no portable pipefail). `set +e` (and
 * `set +o pipefail`) at the top of the script opts out. A one-line command runs as written.
 */
function strictFlags(w: ShellWith): string[] {
  if (!w.command.trimEnd().includes('\n')) return [];
  return shellPath(w.shell).endsWith('bash') ? ['-e', '-o', 'pipefail'] : ['-e'];
}

function shellPath(name: ShellWith['shell']): string {
  if (name === undefined || name === 'sh') return '/bin/sh';
  return name === 'bash' ? 'bash' : name;
}

function parseJson(text: string, truncated: boolean): unknown {
  if (truncated) throw new WeftError('OUTPUT_INVALID', 'stdout is not JSON: it was truncated at maxOutputBytes');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WeftError('OUTPUT_INVALID', `stdout is not JSON: ${(cause as Error).message}`, { cause });
  }
}
