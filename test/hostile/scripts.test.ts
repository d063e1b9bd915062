// Hostile probes on shell scripts as people write them: several lines, outputs put into text.
import { describe, expect, it } from 'vitest';
import { runYaml } from './support.js';

type Shell = { status: string; output?: { stdout: string }; error?: { message: string } };

describe('a multi-line run: stops at a failing line (item 19)', () => {
  it('under sh: set -e', async () => {
    const { report } = await runYaml('tasks:\n  t:\n    run: |\n      echo 1\n      false\n      echo 3\n');
    const t = report.tasks.t as Shell;
    expect(t.status).toBe('failed');
    expect(t.error?.message).toBe('exit code 1');
  });

  it('under bash: set -e and -o pipefail', async () => {
    const { report } = await runYaml('tasks:\n  t:\n    uses: shell\n    with:\n      shell: bash\n      command: |\n        false | cat\n        echo after\n');
    expect((report.tasks.t as Shell).status).toBe('failed');
  });

  it('set +e at the top opts out; a one-line command runs as written', async () => {
    const { report } = await runYaml(
      'tasks:\n  multi:\n    run: |\n      set +e\n      false\n      echo kept going\n  one: { run: "false; echo one line" }\n',
    );
    expect(report.tasks.multi).toMatchObject({ status: 'success', output: { stdout: 'kept going\n' } });
    expect(report.tasks.one).toMatchObject({ status: 'success', output: { stdout: 'one line\n' } });
  });
});

describe('a command\'s trailing newline in text (item 22)', () => {
  it('trim drops it, so "at {{trim …stdout}} on" stays one line', async () => {
    const { report } = await runYaml(
      'tasks:\n  d: { run: echo 2026-12-01 }\n  say: { needs: [d], run: "echo \\"at {{trim tasks.d.output.stdout}} on\\"" }\n',
    );
    expect(report.tasks.say).toMatchObject({ status: 'success', output: { stdout: 'at 2026-12-01 on\n' } });
  });
});
