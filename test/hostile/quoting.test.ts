// Hostile probes on shell quoting: a value templated into a command means exactly the value,
// whichever quotes the author put around the placeholder (issue 9 item 11).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runYaml, spawnBin, stackLines } from './support.js';

type Shell = { status: string; output: { stdout: string }; error?: { code: string; message: string } };

const hostile = ['$(touch pwned)', '`touch pwned`', "it's", 'say "hi"', 'back\\slash\\', '$HOME ${HOME}', 'a\nb', '*', "'; touch pwned; '", '"; touch pwned; "', '!x', ''];

/** Run `command` once per value (input v<i>, task t<i>) in one run; each task's result and whether `pwned` appeared. */
async function runEach(command: string, values: string[]): Promise<{ tasks: Shell[]; pwned: boolean }> {
  const inputs = values.map((value, i) => `  v${i}: { type: string, default: ${JSON.stringify(value)} }`);
  const tasks = values.map((_, i) => `  t${i}: { run: ${JSON.stringify(command.replaceAll('inputs.v', `inputs.v${i}`))} }`);
  const { report, dir } = await runYaml(`inputs:\n${inputs.join('\n')}\ntasks:\n${tasks.join('\n')}\n`);
  return { tasks: values.map((_, i) => report.tasks[`t${i}`] as Shell), pwned: existsSync(path.join(dir, 'pwned')) };
}

async function run(command: string, value: string): Promise<{ task: Shell; pwned: boolean }> {
  const { tasks, pwned } = await runEach(command, [value]);
  return { task: tasks[0]!, pwned };
}

describe('a placeholder means its value in every quoting context', () => {
  it.each([
    ['outside quotes', `printf '%s' {{inputs.v}}`],
    ['inside the author\'s double quotes', `printf '%s' "{{inputs.v}}"`],
    ['inside the author\'s single quotes', `printf '%s' '{{inputs.v}}'`],
    ['inside double quotes in $( )', `printf '%s' "$(printf '%s' "{{inputs.v}}")"`],
    ['between text in double quotes', `printf '%s' "<{{inputs.v}}>"`],
    ['after a case pattern inside "$( )"', `printf '%s' "$(case x in x) printf '%s' {{inputs.v}};; esac)"`],
  ])('%s', async (_name, command) => {
    const wrap = command.includes('<') ? (v: string) => `<${v}>` : (v: string) => v;
    // $( ) drops trailing newlines; none of the values ends with one.
    const { tasks, pwned } = await runEach(command, hostile);
    expect(pwned).toBe(false);
    expect(tasks.map((t) => [t.status, t.output.stdout])).toEqual(hostile.map((value) => ['success', wrap(value)]));
  });

  it('"{{v}}" of an empty value is empty, not a literal \'\'', async () => {
    const { task } = await run('echo "[{{inputs.v}}]" "{{inputs.v}}"', '');
    expect(task.output.stdout).toBe('[] \n');
  });

  it('a here-document body gets the value as text, with nothing expanded', async () => {
    const { task, pwned } = await run('cat <<EOF\nvalue: {{inputs.v}}\nEOF', '$(touch pwned) `touch pwned` $HOME \\');
    expect(pwned).toBe(false);
    expect(task.output.stdout).toBe('value: $(touch pwned) `touch pwned` $HOME \\\n');
  });

  it('a value that would end a here-document early is refused', async () => {
    const { task, pwned } = await run('cat <<EOF\n{{inputs.v}}\nEOF', 'x\nEOF\ntouch pwned');
    expect(pwned).toBe(false);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('TEMPLATE_ERROR');
  });

  it('a placeholder in a comment is not a template: not rendered, its line break cannot run commands', async () => {
    const { task, pwned } = await run('echo a # {{inputs.v}} {{tasks.nope.output}} {{#each}}\necho b', 'x\ntouch pwned');
    expect(pwned).toBe(false);
    expect(task.status).toBe('success');
    expect(task.output.stdout).toBe('a\nb\n');
  });

  it('a placeholder inside backticks is refused before anything runs (no quoting is safe there)', async () => {
    await expect(run('echo `echo {{inputs.v}}`', '`touch pwned`')).rejects.toThrow(/placeholder cannot go inside backticks/);
  });
});

describe('a partial inside the author\'s quotes', () => {
  it('quotes its placeholders for those quotes', async () => {
    const value = "'$(touch pwned)\" `touch pwned`";
    const { report, dir } = await runYaml(
      `inputs:\n  v: { type: string, default: ${JSON.stringify(value)} }\ntasks:\n  s: { run: "printf %s '<{{> show}}>'" }\n  d: { run: "printf %s \\"<{{> show}}>\\"" }\n`,
      { files: { 'partials/show.hbs': 'v={{inputs.v}}' } },
    );
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    expect((report.tasks.s as Shell).output.stdout).toBe(`<v=${value}>`);
    expect((report.tasks.d as Shell).output.stdout).toBe(`<v=${value}>`);
  });
});

describe('weft validate checks a shell command\'s quoting', () => {
  it('a placeholder in backticks and a block that leaves a quote open are errors at their line', async () => {
    const cwd = makeProject({
      'q.yaml': 'inputs:\n  x: { type: string, default: a }\ntasks:\n  a: { run: "echo `echo {{inputs.x}}`" }\n  b: { run: "echo {{#if inputs.x}}\\"{{/if}}" }\n',
    });
    const result = await spawnBin(['validate', 'q.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^q\.yaml:4:\d+: tasks\.a\.run: a placeholder cannot go inside backticks/),
      expect.stringMatching(/^q\.yaml:5:\d+: tasks\.b\.run: a block in a shell command must close the quotes/),
    ]);
  });
});
