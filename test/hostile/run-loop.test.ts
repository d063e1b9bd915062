// Hostile probes against the run loop (issue 9 items 6, 9, 18, 20, 21): each failed before the
// run loop was split into setup, lifecycle and attempts.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

describe('outputs JSON cannot hold', () => {
  it('fail their own task with OUTPUT_INVALID and the report survives', async () => {
    const { report } = await runYaml(`tasks:
  big: { uses: node, with: { module: out.mjs, export: big } }
  loop: { uses: node, with: { module: out.mjs, export: loop } }
  fine: { run: "echo fine" }
`, {
      keepGoing: true,
      files: { 'out.mjs': 'export const big = () => ({ n: 10n });\nexport const loop = () => { const a = { name: "a" }; a.self = a; return a; };\n' },
    });
    expect(report.tasks.big).toMatchObject({ status: 'failed', error: { code: 'OUTPUT_INVALID' } });
    expect((report.tasks.big as { error: { message: string } }).error.message).toContain('output.n is a bigint');
    expect(report.tasks.loop).toMatchObject({ status: 'failed', error: { code: 'OUTPUT_INVALID' } });
    expect(report.tasks.fine!.status).toBe('success');
    expect(() => JSON.stringify(report)).not.toThrow();
  });
});

describe('failFast', () => {
  it('starts nothing once a failure is known, not even into the slot the failure freed', async () => {
    const { report } = await runYaml(`concurrency: 1
tasks:
  a: { run: "exit 1", priority: 10 }
  b: { run: "echo b" }
  c: { run: "echo c" }
`);
    expect(report.tasks.a!.status).toBe('failed');
    expect(report.tasks.b).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    expect(report.tasks.c).toMatchObject({ status: 'skipped', reason: 'cancelled' });
  });
});

describe('env', () => {
  it("renders the pipeline's top-level env, and an object in env is JSON", async () => {
    const { report } = await runYaml(`inputs:
  mode: { type: string, default: fast }
env:
  MODE: "{{inputs.mode}}"
tasks:
  a: { uses: node, with: { module: out.mjs } }
  b:
    needs: [a]
    env: { OBJ: "{{tasks.a.output}}", N: "{{tasks.a.output.n}}" }
    run: 'printf "%s|%s|%s" "$MODE" "$OBJ" "$N"'
`, { files: { 'out.mjs': 'export default () => ({ n: 2 });\n' } });
    expect(report.tasks.b).toMatchObject({ status: 'success', output: { stdout: 'fast|{"n":2}|2' } });
  });
});

describe('retries', () => {
  const flaky = `import { readFileSync, writeFileSync, existsSync } from 'node:fs';
export default (input, { root }) => {
  const file = root + '/count';
  const n = existsSync(file) ? Number(readFileSync(file, 'utf8')) + 1 : 1;
  writeFileSync(file, String(n));
  if (n < 2) throw Object.assign(new Error('flaky ' + n), input.permanent ? { retryable: false } : {});
  return n;
};
`;
  it('retry a plain throw when the task asks for retries', async () => {
    const { report } = await runYaml(`tasks:
  t: { uses: node, with: { module: flaky.mjs, input: {} }, retry: { attempts: 3, delay: 1ms } }
`, { files: { 'flaky.mjs': flaky } });
    expect(report.tasks.t).toMatchObject({ status: 'success', attempts: 2, output: 2 });
  });

  it('do not retry an error marked retryable: false', async () => {
    const { report } = await runYaml(`tasks:
  t: { uses: node, with: { module: flaky.mjs, input: { permanent: true } }, retry: { attempts: 3, delay: 1ms } }
`, { files: { 'flaky.mjs': flaky } });
    expect(report.tasks.t).toMatchObject({ status: 'failed', attempts: 1 });
  });
});

describe('truthiness', () => {
  it('is one rule for if: and {{#if}}: false, "false", 0, "0", "", null and [] are false', async () => {
    const { report } = await runYaml(`inputs:
  values: { type: array, default: [false, "false", "FALSE", 0, "0", "", null, [], "no", 1, "true", {}] }
tasks:
  check:
    forEach: "{{inputs.values}}"
    uses: node
    with: { module: same.mjs, input: { item: "{{item}}", block: "{{#if item}}yes{{else}}no{{/if}}", helper: "{{not item}}" } }
`, { files: { 'same.mjs': 'export default (x) => x;\n' } });
    const seen = Object.values(report.tasks).map((r) => (r as { output: { block: string; helper: boolean } }).output);
    expect(seen.map((o) => o.block)).toEqual(['no', 'no', 'no', 'no', 'no', 'no', 'no', 'no', 'yes', 'yes', 'yes', 'yes']);
    expect(seen.map((o) => !o.helper)).toEqual(seen.map((o) => o.block === 'yes'));
  });

  it('skips a task whose if: renders "false" or "0", and runs one whose if: is "no"', async () => {
    const { report } = await runYaml(`inputs:
  off: { type: string, default: "false" }
tasks:
  a: { if: "{{inputs.off}}", run: "true" }
  b: { if: "0", run: "true" }
  c: { if: "no", run: "true" }
`);
    expect(report.tasks.a).toMatchObject({ status: 'skipped', reason: 'condition' });
    expect(report.tasks.b).toMatchObject({ status: 'skipped', reason: 'condition' });
    expect(report.tasks.c!.status).toBe('success');
  });
});
