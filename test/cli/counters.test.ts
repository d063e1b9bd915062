import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from './support.js';

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;
const strip = (s: string) => s.replace(ansi, '').replace(/\r/g, '');

describe('counters', () => {
  // 3 forEach instances + a tolerated failure + one that needs the forEach: 5 tasks in the report.
  const fanOut = `
tasks:
  each: { forEach: [1, 2, 3], run: "echo {{item}}" }
  flaky: { run: "exit 3", continueOnError: true }
  after: { needs: [each], run: echo after }
`;

  it("add up to the run's task count, tolerated failures counted apart and named", async () => {
    const cwd = makeProject({ 'pipelines/fan.yaml': fanOut });
    const result = await runCli(['run', 'fan', '--output', 'live'], { cwd, isTTY: true });
    expect(result.code).toBe(0);
    const text = strip(result.stdout);
    const counters = [...text.matchAll(/^(\d+)\/(\d+) done/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(counters.length).toBeGreaterThan(0);
    for (const [done, total] of counters) expect(done).toBeLessThanOrEqual(total!);
    expect(counters.at(-1)).toEqual([5, 5]);
    expect(text).toMatch(/^✓ fan succeeded in \S+ \(5 tasks: 4 succeeded, 1 failed and tolerated: flaky\)$/m);
    expect(text).toMatch(/^✗ flaky exit code 3 \(tolerated\)$/m);
  });

  it('the forEach that expands to no item still counts as one task', async () => {
    const cwd = makeProject({ 'pipelines/none.yaml': 'tasks:\n  each: { forEach: [], run: "echo {{item}}" }\n  b: { run: echo b }\n' });
    const result = await runCli(['run', 'none', '--output', 'live'], { cwd, isTTY: true });
    expect(result.code).toBe(0);
    const counters = [...strip(result.stdout).matchAll(/^(\d+)\/(\d+) done/gm)].map((m) => `${m[1]}/${m[2]}`);
    expect(counters.at(-1)).toBe('2/2');
    expect(strip(result.stdout)).toMatch(/\(2 tasks\)$/m);
  });
});
