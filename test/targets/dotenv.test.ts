import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../engine/types.js';
import { runCli } from '../cli/support.js';
import { makeProject } from '../support/project.js';

const show = `dotenv: [.env, .env.local]
tasks:
  show: { run: 'echo "$A $B $C $D"' }
`;

async function stdoutOf(cwd: string, env: Record<string, string | undefined> = { PATH: process.env.PATH }): Promise<string> {
  const result = await runCli(['run', 'show', '--json'], { cwd, env });
  expect(result.stderr).not.toContain('Error');
  const report = JSON.parse(result.stdout) as RunReport;
  const show = report.tasks.show!;
  return show.status === 'success' ? (show.output as { stdout: string }).stdout.trim() : `not run: ${JSON.stringify(show)}`;
}

describe('dotenv', () => {
  it('loads the listed files in order (later wins); the process environment wins over them', async () => {
    const cwd = makeProject({
      'pipelines/show.yaml': show,
      '.env': 'A=from-env\nB=from-env\n# a comment\nexport C="quoted value"\n',
      '.env.local': 'B=from-local\n',
    });
    expect(await stdoutOf(cwd)).toBe('from-env from-local quoted value');
    expect(await stdoutOf(cwd, { PATH: process.env.PATH, A: 'from-process' })).toBe('from-process from-local quoted value');
  });

  it('weft.config.yaml lists files loaded before the pipeline\'s, and secrets read them', async () => {
    const cwd = makeProject({
      'weft.config.yaml': 'dotenv: [config.env]\n',
      'config.env': 'D=from-config\nA=config-a\nTOKEN=s3cret-token\n',
      '.env': 'A=pipeline-a\n',
      'pipelines/show.yaml': `dotenv: [.env]\ntasks:\n  show: { run: 'echo "$A $D {{secrets.TOKEN}}"' }\n`,
    });
    // The secret is read from the file and masked in the report.
    expect(await stdoutOf(cwd)).toBe('pipeline-a from-config ***');
  });

  it('a listed file that does not exist is fine; one that cannot be read is exit 2', async () => {
    const cwd = makeProject({ 'pipelines/show.yaml': show });
    expect(await stdoutOf(cwd)).toBe('');
    mkdirSync(path.join(cwd, '.env.local'));
    const bad = await runCli(['run', 'show'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('.env.local');
    expect(bad.stderr).toContain('cannot read dotenv file');
  });

  // Root reads any file whatever its mode, so this one cannot fail as root.
  it.skipIf(process.getuid?.() === 0)('an unreadable file (no permission; skipped as root) is exit 2 too', async () => {
    const cwd = makeProject({ 'pipelines/show.yaml': show, '.env': 'A=1\n' });
    chmodSync(path.join(cwd, '.env'), 0o000);
    expect((await runCli(['run', 'show'], { cwd })).code).toBe(2);
  });

  it('validation places a wrong dotenv value at its FILE:LINE:COL', async () => {
    const cwd = makeProject({ 'pipelines/show.yaml': 'dotenv: .env\ntasks:\n  show: { run: echo }\n' });
    const result = await runCli(['validate', 'show'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/show\.yaml:1:9: dotenv: must be array/);
  });
});
