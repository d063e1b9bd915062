// env.X reads the pipeline's env, then the process environment; a missing name is an error that
// names it; default gives a fallback; values of secret-looking names are masked.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

const stdoutOf = (r: unknown) => (r as { output?: { stdout?: string } }).output?.stdout;

describe('env in templates', () => {
  it('reads the pipeline env first, then the process environment, and default fills a gap', async () => {
    const { report } = await runYaml(
      `
env:
  STAGE: "pipeline-{{env.FROM_PROCESS}}"
tasks:
  show:
    run: echo "{{env.STAGE}} {{env.FROM_PROCESS}} {{default env.NOT_SET "fallback"}}"
`,
      { env: { PATH: process.env.PATH, FROM_PROCESS: 'proc', STAGE: 'ignored' } },
    );
    expect(stdoutOf(report.tasks.show)).toBe('pipeline-proc proc fallback\n');
  });

  it('a name set nowhere fails the task with an error naming it', async () => {
    const { report } = await runYaml(`tasks:\n  show: { run: "echo {{env.CI_NOWHERE}}" }\n`, { env: { PATH: process.env.PATH } });
    expect(report.tasks.show).toMatchObject({ status: 'failed', error: { code: 'TEMPLATE_ERROR' } });
    expect((report.tasks.show as { error: { message: string } }).error.message).toContain('env.CI_NOWHERE is not set');
  });

  it('masks the values of variables whose names look secret, in templates and in what a task prints', async () => {
    const env = { PATH: process.env.PATH, DEPLOY_TOKEN: 'tok-4242-abcd', DB_PASSWORD: 'pw-9191-xyz', PLAIN: 'visible-value' };
    const { report, events } = await runYaml(
      `tasks:\n  show: { run: 'echo "{{env.DEPLOY_TOKEN}} $DB_PASSWORD {{env.PLAIN}}"' }\n`,
      { env },
    );
    expect(stdoutOf(report.tasks.show)).toBe('*** *** visible-value\n');
    const text = JSON.stringify(events);
    expect(text).not.toContain('tok-4242-abcd');
    expect(text).not.toContain('pw-9191-xyz');
  });
});
