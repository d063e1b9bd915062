import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

describe('values templated into a run', () => {
  it('cannot inject commands through an input', async () => {
    const { report, dir } = await runYaml(`inputs: { name: { type: string, default: "" } }
tasks:
  greet: { run: "echo hello {{inputs.name}}" }
`, { inputs: { name: 'x; touch pwned' } });
    expect(report.status).toBe('success');
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    const greet = report.tasks.greet!;
    expect(greet.status === 'success' && (greet.output as { stdout: string }).stdout).toBe('hello x; touch pwned\n');
  });

  it('inserts a value raw only when the author asks with {{{ }}}', async () => {
    const { report, dir } = await runYaml(`inputs: { cmd: { type: string, default: "touch raw-ok" } }
tasks:
  raw: { run: "{{{inputs.cmd}}}" }
`);
    expect(report.status).toBe('success');
    expect(existsSync(path.join(dir, 'raw-ok'))).toBe(true);
  });

  it('renders a template file once: braces in an upstream output stay text', async () => {
    const { report, dir } = await runYaml(`tasks:
  say: { run: 'printf "\\173\\173pipeline.name\\175\\175\\n"' }
  page:
    needs: [say]
    uses: template
    with: { source: "got {{tasks.say.output.stdout}}", to: out/page.txt }
`);
    expect(report.status).toBe('success');
    const say = report.tasks.say!;
    expect(say.status === 'success' && (say.output as { stdout: string }).stdout).toBe('{{pipeline.name}}\n');
    expect(readFileSync(path.join(dir, 'out/page.txt'), 'utf8')).toBe('got {{pipeline.name}}\n');
  });

  it('never shows a secret in the log, the report or an error', async () => {
    const secret = 'sk-test-5up3r-s3cr3t-value';
    const { report, events } = await runYaml(`tasks:
  leak:
    run: "echo token={{secrets.WEFT_TEST_TOKEN}}; echo $WEFT_TEST_TOKEN >&2; exit 1"
`, { env: { ...process.env, WEFT_TEST_TOKEN: secret } });
    const everything = JSON.stringify(report) + JSON.stringify(events);
    expect(report.tasks.leak!.status).toBe('failed');
    expect(everything).not.toContain(secret);
    expect(everything).toContain('token=***');
    expect(events.some((e) => e.type === 'task:log' && e.line.includes('***'))).toBe(true);
  });

  it('fails before any task starts when a secret is not set', async () => {
    await expect(
      runYaml(`tasks:\n  t: { run: "echo {{secrets.WEFT_NOT_SET_ANYWHERE}}" }\n`, { env: {} }),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('cancellation', () => {
  it('an aborted run ends cancelled and kills its processes', async () => {
    const controller = new AbortController();
    // Cancel once the process has surely started: it has printed its first line.
    const { report } = await runYaml(`tasks:
  long: { run: "echo started; sleep 30" }
  after: { needs: [long], run: "true" }
`, { signal: controller.signal, onEvent: (e) => e.type === 'task:log' && controller.abort() });
    expect(report.status).toBe('cancelled');
    expect(report.tasks.long!.status).toBe('cancelled');
    expect(report.tasks.after).toMatchObject({ status: 'skipped', reason: 'cancelled' });
  });
});
