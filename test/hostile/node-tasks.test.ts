// A node task runs a user's function in weft's own threads: whatever it does (loop forever, call
// process.exit, throw from a timer, print with console) must stay that task's problem.
import { describe, expect, it } from 'vitest';
import { spawnBin } from '../cli/support.js';
import { makeProject, runYaml } from '../support/project.js';

const oneThread = { 'weft.config.yaml': 'workers: 1\n' };

// Waits (polling, no fixed sleep) until a file exists; the tasks coordinate through files.
const waitForFile = `
import { existsSync } from 'node:fs';
import path from 'node:path';
export const waitFor = async (root, name) => { while (!existsSync(path.join(root, name))) await new Promise((r) => setTimeout(r, 10)); };
`;

describe('a node task that never yields its thread', () => {
  it('times out, its thread is replaced, and later tasks run (workers: 1)', async () => {
    const { report } = await runYaml(
      `
concurrency: 1
failFast: false
tasks:
  warm: { uses: node, with: { module: spin.mjs, export: warm } }
  spin: { uses: node, with: { module: spin.mjs }, timeout: 500ms, priority: 10, needs: [warm] }
  after: { uses: node, with: { module: echo.mjs, input: later } }
  shell: { run: "echo still here", needs: [after] }
`,
      {
        files: {
          ...oneThread,
          // Loaded by \`warm\` first: the loop then starts without the thread waiting on an import.
          'spin.mjs': "export default () => { console.log('about to spin'); for (;;) {} };\nexport const warm = () => 1;\n",
          'echo.mjs': 'export default (input) => input;\n',
        },
      },
    );
    expect(report.tasks.spin).toMatchObject({ status: 'failed', error: { code: 'TASK_TIMEOUT' } });
    // Replaced once its timeout and a short slack are over, not at the run's last-resort
    // backstop (timeout + 5 s): the thread said it started before it stopped answering.
    expect((report.tasks.spin as { durationMs: number }).durationMs).toBeLessThan(4000);
    // What it printed before it hung outlives its thread.
    expect(report.tasks.spin).toMatchObject({ attemptLog: [{ stdout: { text: 'about to spin\n' } }] });
    expect(report.tasks.after).toMatchObject({ status: 'success', output: 'later' });
    expect(report.tasks.shell).toMatchObject({ status: 'success' });
  });
});

describe('a node task that ends or crashes its thread', () => {
  const innocentFiles = {
    ...oneThread,
    'wait.mjs': waitForFile,
    'innocent.mjs': `import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait.mjs';
export default async (_, { root }) => { writeFileSync(path.join(root, 'started'), ''); await waitFor(root, 'go'); return 'done'; };
`,
    'release.mjs': `import { writeFileSync } from 'node:fs';
import path from 'node:path';
export default (_, { root }) => { writeFileSync(path.join(root, 'go'), ''); return 'released'; };
`,
  };
  // The offender acts while the innocent task is running on the same thread; `release` lets the
  // innocent task finish only after the offender has ended.
  const yaml = (offender: string) => `
concurrency: 3
failFast: false
tasks:
  innocent: { uses: node, with: { module: innocent.mjs } }
  shellmate: { run: "while [ ! -f go ]; do sleep 0.02; done; echo shell done" }
  offender: { uses: node, with: { module: ${offender} } }
  release: { uses: node, with: { module: release.mjs }, needs: [offender], when: always }
`;

  it('process.exit() fails only the caller; the task sharing its thread and a shell task finish', async () => {
    const { report } = await runYaml(yaml('exit.mjs'), {
      files: {
        ...innocentFiles,
        'exit.mjs': `import { waitFor } from './wait.mjs';
export default async (_, { root }) => { await waitFor(root, 'started'); process.exit(3); };
`,
      },
    });
    expect(report.tasks.offender).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } });
    expect((report.tasks.offender as { error: { message: string } }).error.message).toContain('process.exit(3)');
    expect(report.tasks.innocent).toMatchObject({ status: 'success', output: 'done' });
    expect(report.tasks.shellmate).toMatchObject({ status: 'success', output: { stdout: 'shell done\n' } });
    expect(report.tasks.release).toMatchObject({ status: 'success' });
  });

  it('an exception thrown from a timer fails only the task that set the timer', async () => {
    const { report } = await runYaml(yaml('throw-later.mjs'), {
      files: {
        ...innocentFiles,
        'throw-later.mjs': `import { waitFor } from './wait.mjs';
export default async (_, { root }) => {
  await waitFor(root, 'started');
  setTimeout(() => { throw new Error('late boom'); }, 1);
  await new Promise(() => {});
};
`,
      },
    });
    expect(report.tasks.offender).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } });
    expect((report.tasks.offender as { error: { message: string } }).error.message).toContain('late boom');
    expect(report.tasks.innocent).toMatchObject({ status: 'success', output: 'done' });
    expect(report.tasks.shellmate).toMatchObject({ status: 'success' });
  });
});

describe("a node task's console", () => {
  const files = {
    'talk.mjs': `export default (input) => { console.log('token is', input); console.error('warned'); return 'ok'; };\n`,
  };
  const yaml = `
tasks:
  talk: { uses: node, with: { module: talk.mjs, input: "{{secrets.TOK}}" } }
`;

  it("goes to the task's log, masked, not to the process's stdout", async () => {
    const { report, events } = await runYaml(yaml, { files, env: { ...process.env, TOK: 'sekrit-value' } });
    expect(report.tasks.talk).toMatchObject({ status: 'success' });
    const lines = events.flatMap((e) => (e.type === 'task:log' && e.id === 'talk' ? [`${e.stream}:${e.line}`] : []));
    expect(lines).toEqual(['stdout:token is ***', 'stderr:warned']);
  });

  it('keeps --json stdout a report and never prints the secret', async () => {
    const cwd = makeProject({ 'pipelines/talk.yaml': yaml, ...files });
    const result = await spawnBin(['run', 'talk', '--json'], { cwd, env: { TOK: 'sekrit-value' } });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string };
    expect(report.status).toBe('success');
    expect(result.stdout + result.stderr).not.toContain('sekrit-value');
    expect(result.stderr).toContain('token is ***');
  });
});
