// A Taskfile with one include used twice (different vars) and a `run: once` setup, ported: a
// pipeline template called twice whose `once: true` task runs once per run, its output shared.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxOverlap, runYaml } from '../support/project.js';

const LIB = `
inputs:
  name: { type: string, required: true }
tasks:
  deps:
    once: true
    run: echo installed >> deps.log && echo deps-ok
  build:
    needs: [deps]
    run: echo "build {{inputs.name}} after {{tasks.deps.output.stdout}}"
outputs:
  line: "{{tasks.build.output.stdout}}"
`;

const stdoutOf = (r: unknown) => ((r as { output?: { stdout?: string } }).output?.stdout ?? '').trim();

describe('a Taskfile include used twice with run: once, ported', () => {
  it('runs the once task a single time; both calls build, each reading its shared output', async () => {
    const { report, dir } = await runYaml(
      `
tasks:
  web: { uses: template:lib, with: { name: web } }
  api: { uses: template:lib, with: { name: api } }
  all:
    needs: [web, api]
    run: echo "{{tasks.web.output.line}} / {{tasks.api.output.line}}"
`,
      { files: { 'templates/lib.yaml': LIB } },
    );
    expect(Object.keys(report.tasks).sort()).toEqual(['all', 'api', 'api.build', 'web', 'web.build', 'web.deps']);
    expect(Object.values(report.tasks).every((r) => r.status === 'success')).toBe(true);
    expect(readFileSync(path.join(dir, 'deps.log'), 'utf8')).toBe('installed\n');
    expect(stdoutOf(report.tasks['api.build'])).toBe('build api after deps-ok');
    expect(stdoutOf(report.tasks.all)).toContain('build web');
  });

  it('a call takes matrix, if, continueOnError and concurrency for every task it expands to', async () => {
    const { report, dir } = await runYaml(
      `
tasks:
  legs:
    uses: template:lib
    matrix: { name: [a, b, c] }
    with: { name: "{{matrix.name}}" }
    if: "{{ne matrix.name 'b'}}"
    continueOnError: true
    concurrency: 1
  other: { uses: template:lib, with: { name: z } }
`,
      { files: { 'templates/lib.yaml': LIB } },
    );
    const status = (id: string) => report.tasks[id]?.status;
    expect(status('legs.deps')).toBe('success');
    expect(status('legs.build[name=a]')).toBe('success');
    expect(report.tasks['legs.build[name=b]']).toMatchObject({ status: 'skipped', reason: 'condition' });
    expect(stdoutOf(report.tasks['legs.build[name=c]'])).toBe('build c after deps-ok');
    expect(maxOverlap(report, ['legs.deps', 'legs.build[name=a]', 'legs.build[name=c]'])).toBe(1);
    expect(status('other.build')).toBe('success');
    expect(report.tasks['other.deps']).toBeUndefined();
    expect(readFileSync(path.join(dir, 'deps.log'), 'utf8')).toBe('installed\n');
  });

  it('a per-leg condition of a call reads the caller, not the template', async () => {
    const { report } = await runYaml(
      `
inputs:
  skip: { type: string, default: b }
tasks:
  legs:
    uses: template:lib
    forEach: [a, b]
    with: { name: "{{item}}" }
    if: "{{ne item inputs.skip}}"
`,
      { files: { 'templates/lib.yaml': LIB } },
    );
    expect(report.tasks['legs.build[0]']?.status).toBe('success');
    expect(report.tasks['legs.build[1]']).toMatchObject({ status: 'skipped', reason: 'condition' });
  });
});

describe('a fanned-out call whose template task has its own if on inputs', () => {
  it('decides that if per leg, since the inputs come from the leg', async () => {
    const { report } = await runYaml(
      `
tasks:
  legs:
    uses: template:gate
    matrix: { name: [on, off] }
    with: { name: "{{matrix.name}}" }
`,
      {
        files: {
          'templates/gate.yaml': `
inputs:
  name: { type: string, required: true }
tasks:
  run-it:
    if: "{{eq inputs.name 'on'}}"
    run: echo {{inputs.name}}
`,
        },
      },
    );
    expect(report.tasks['legs.run-it[name=on]']?.status).toBe('success');
    expect(report.tasks['legs.run-it[name=off]']).toMatchObject({ status: 'skipped', reason: 'condition' });
  });
});
