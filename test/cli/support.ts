import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cli, type CliIo, type TerminationSignal } from '../../engine/cli/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin/weft.js');

/** A diamond: a; b and c need a; d needs b and c. */
export const diamondYaml = `
description: A diamond of four tasks
tasks:
  a: { run: echo a }
  b: { needs: [a], run: echo b }
  c: { needs: [a], run: echo c }
  d: { needs: [b, c], run: echo d }
`;

export { makeProject } from '../support/project.js';

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * Call cli() in-process with fake streams. Signals come only from `signals.send`, so a test
 * never touches the test runner's own process handlers.
 */
export async function runCli(
  argv: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; isTTY?: boolean; onSignal?: CliIo['onSignal'] },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), columns: 100 },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? { PATH: process.env.PATH },
    cwd: options.cwd,
    isTTY: options.isTTY ?? false,
    onSignal: options.onSignal ?? (() => () => {}),
  };
  const code = await cli(argv, io);
  return { code, stdout, stderr };
}

/** Spawn the real bin (needs `npx tsc` first) and collect its output. */
export function spawnBin(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void },
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...argv], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

/** Lines that look like a JavaScript stack frame: a user error must never print one. */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at /.test(l));
}

export type { TerminationSignal };
