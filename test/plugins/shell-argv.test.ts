// Plain `prog arg…` commands are exec'd without a shell; everything a shell would read still gets one.
import { describe, expect, it } from 'vitest';
import type { WeftError } from '../../engine/errors.js';
import { createExecutorPool } from '../../engine/pool/local.js';
import { directArgv } from '../../plugins/shell/argv.js';
import { builtinEntry, callContext, makeTempDir } from './helpers.js';

describe('directArgv', () => {
  it.each([
    ['true', ['true']],
    ['  npm test --silent ', ['npm', 'test', '--silent']],
    ['make -j8 all', ['make', '-j8', 'all']],
    ['node scripts/a.mjs --out=dist/x.json', ['node', 'scripts/a.mjs', '--out=dist/x.json']],
  ])('execs %j directly', (command, argv) => {
    expect(directArgv(command)).toEqual(argv);
  });

  it.each([
    'echo $HOME', 'echo "a b"', "echo 'a'", 'ls *.ts', 'a && b', 'a | b', 'a; b', 'a > out', 'echo ~', 'a\nb',
    'X=1 env', 'cd dir', 'exit 3', 'export A', 'set -e', 'echo `id`', 'echo $(id)', 'a &', 'echo a # note', 'if true',
  ])('leaves %j to the shell', (command) => {
    expect(directArgv(command)).toBeUndefined();
  });
});

describe('a command exec\'d directly', () => {
  const pool = createExecutorPool({ workers: 1 });
  const sh = async (command: string, root = makeTempDir()) =>
    pool.run(await builtinEntry('shell'), { command }, callContext({ root })) as Promise<{ exitCode: number; stdout: string }>;
  const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('should fail'), (e: WeftError) => e);

  it('runs with its arguments and captures output', async () => {
    await expect(sh('echo a b  c')).resolves.toMatchObject({ exitCode: 0, stdout: 'a b c\n' });
  });

  it('fails a missing program as a shell would: exit code 127, retryable', async () => {
    const lines: string[] = [];
    const call = pool.run(await builtinEntry('shell'), { command: 'no-such-program-weft --x' }, callContext({ root: makeTempDir() }), {
      onLog: (_stream, line) => lines.push(line),
    });
    expect(await failure(call)).toMatchObject({ code: 'TASK_FAILED', message: 'exit code 127', retryable: true });
    expect(lines).toEqual(['no-such-program-weft: command not found']);
    await pool.destroy();
  });
});
