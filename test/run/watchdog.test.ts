// A run forks its watchdog (engine/run/watchdog.ts) before its first task that starts processes,
// and only then: a run of llm, http, template or node tasks starts no process of its own.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

const linux = existsSync('/proc/self/environ');

/** A node module whose function counts this process's watchdog children (read in /proc). */
const counter = `import { readdirSync, readFileSync } from 'node:fs';
export default function watchdogs() {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
    try {
      const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes('weft-watchdog')) n++;
    } catch {}
  }
  return n;
}
`;

describe.skipIf(!linux)('the run watchdog', () => {
  it('is not forked by a run that starts no process, and is by one with a shell task', async () => {
    const files = { 'count.mjs': counter };
    const quiet = await runYaml('tasks:\n  count: { uses: node, with: { module: count.mjs } }\n', { files });
    expect(quiet.report.tasks.count).toMatchObject({ status: 'success', output: 0 });
    const shell = await runYaml('tasks:\n  sh: { run: "true" }\n  count: { uses: node, with: { module: count.mjs }, needs: [sh] }\n', { files });
    expect(shell.report.tasks.count).toMatchObject({ status: 'success' });
    expect((shell.report.tasks.count as { output: number }).output).toBeGreaterThan(0);
  });
});
