import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxOverlap, runYaml } from '../support/project.js';

// Each shell task records its own start and end in a shared log, so overlap is measured from the
// processes themselves, not from the engine's bookkeeping.
const stamp = (name: string, sleep = '0.1') =>
  `echo "start ${name} $(date +%s%N)" >> log.txt; sleep ${sleep}; echo "end ${name} $(date +%s%N)" >> log.txt`;

function peakFromLog(dir: string): number {
  const lines = readFileSync(path.join(dir, 'log.txt'), 'utf8').trim().split('\n');
  const events = lines.map((l) => {
    const [kind, , ns] = l.split(' ');
    return { t: BigInt(ns!), d: kind === 'start' ? 1 : -1 };
  });
  events.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.d - b.d));
  let now = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (now += e.d));
  return max;
}

describe('the ready-queue scheduler, with real processes', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => `  t${i}:\n    run: ${JSON.stringify(stamp(`t${i}`))}`).join('\n');
    const { report, dir } = await runYaml(`concurrency: 2\ntasks:\n${tasks}\n`);
    expect(report.status).toBe('success');
    expect(peakFromLog(dir)).toBeLessThanOrEqual(2);
    expect(peakFromLog(dir)).toBe(2);
    expect(maxOverlap(report)).toBeLessThanOrEqual(2);
  });

  it('runs up to `concurrency` tasks at once, more than there are worker threads', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => `  t${i}:\n    run: ${JSON.stringify(stamp(`t${i}`, '1'))}`).join('\n');
    const { report, dir } = await runYaml(`concurrency: 6\ntasks:\n${tasks}\n`);
    expect(report.status).toBe('success');
    expect(peakFromLog(dir)).toBe(6);
  });

  it('never overlaps two tasks that share a lock, while others still run in parallel', async () => {
    const guarded = (name: string) =>
      `if [ -e held ]; then echo overlap >> bad.txt; fi; touch held; ${stamp(name, '0.05')}; rm held`;
    const yaml = `concurrency: 4
tasks:
  a: { run: ${JSON.stringify(guarded('a'))}, locks: ["file:x"] }
  b: { run: ${JSON.stringify(guarded('b'))}, locks: ["file:x"] }
  c: { run: ${JSON.stringify(guarded('c'))}, locks: ["file:x", "file:y"] }
  d: { run: ${JSON.stringify(guarded('d'))}, locks: ["file:x"] }
  free: { run: "sleep 0.2" }
`;
    const { report, dir } = await runYaml(yaml);
    expect(report.status).toBe('success');
    expect(existsSync(path.join(dir, 'bad.txt'))).toBe(false);
    expect(peakFromLog(dir)).toBe(1);
    expect(maxOverlap(report, ['a', 'b', 'c', 'd'])).toBe(1);
    expect(maxOverlap(report)).toBeGreaterThanOrEqual(2);
  });

  it('starts a task as soon as its needs finish, while an unrelated slow task of the same batch still runs', async () => {
    const yaml = `concurrency: 4
tasks:
  slow: { run: "sleep 1.5" }
  quick: { run: "true" }
  after-quick: { needs: [quick], run: "true" }
`;
    const { report } = await runYaml(yaml);
    const slow = report.tasks.slow!;
    const next = report.tasks['after-quick']!;
    if (!('endedAt' in next) || !('endedAt' in slow)) throw new Error('missing timings');
    expect(next.startedAt!).toBeLessThan(slow.endedAt!);
  });

  it('runs one at a time with --sequential, with the same results', async () => {
    const tasks = Array.from({ length: 4 }, (_, i) => `  t${i}:\n    run: ${JSON.stringify(stamp(`t${i}`, '0.05'))}`).join('\n');
    const { report, dir } = await runYaml(`tasks:\n${tasks}\n`, { sequential: true });
    expect(report.status).toBe('success');
    expect(peakFromLog(dir)).toBe(1);
  });

  it('limits forEach instances by the task concurrency and keeps outputs in item order', async () => {
    const yaml = `concurrency: 8
tasks:
  list: { run: "seq 0 999 | awk 'BEGIN{printf \\"[\\"} {printf (NR>1?\\",\\":\\"\\") $1} END{print \\"]\\"}'", with: { output: json } }
  square:
    needs: [list]
    forEach: "{{tasks.list.output.json}}"
    concurrency: 3
    uses: node
    with: { module: square.mjs, input: "{{item}}" }
  check:
    needs: [square]
    uses: node
    with: { module: check.mjs, input: "{{tasks.square.outputs}}" }
`;
    const { report } = await runYaml(yaml, {
      files: {
        'square.mjs': 'export default (n) => n * n;\n',
        'check.mjs': 'export default (xs) => xs.every((x, i) => x === i * i) && xs.length === 1000;\n',
      },
    });
    expect(report.status).toBe('success');
    expect(Object.keys(report.tasks).filter((id) => id.startsWith('square['))).toHaveLength(1000);
    const check = report.tasks.check!;
    expect(check.status === 'success' && check.output).toBe(true);
    const squares = Object.entries(report.tasks).filter(([id]) => id.startsWith('square['));
    expect(maxOverlap({ ...report, tasks: Object.fromEntries(squares) })).toBeLessThanOrEqual(3);
  });

  it('a task or pool asking for more at once than the default run limit gets it, unless the pipeline sets one', async () => {
    const cpus = (await import('node:os')).availableParallelism();
    const wide = 2 * cpus + 4;
    const items = `[${Array.from({ length: wide }, (_, i) => i).join(', ')}]`;
    const task = (extra: string) => `${extra}tasks:\n  wait:\n    forEach: ${items}\n    concurrency: ${wide}\n    run: sleep 0.6\n`;
    const overlap = (report: Parameters<typeof maxOverlap>[0]) =>
      maxOverlap({ ...report, tasks: Object.fromEntries(Object.entries(report.tasks).filter(([id]) => id.startsWith('wait['))) });
    // Each sleep lasts 600 ms and all are ready at once: the default lets all of them overlap.
    expect(overlap((await runYaml(task(''))).report)).toBe(wide);
    // A pipeline's own limit still holds.
    expect(overlap((await runYaml(task('concurrency: 2\n'))).report)).toBeLessThanOrEqual(2);
  });
});

