// A GitHub Actions test matrix, ported in weft's own words: named axes, exclude, include that
// extends legs and adds one, a per-leg condition and a per-leg continueOnError.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

const CI = `
tasks:
  test:
    matrix:
      os: [linux, mac, windows]
      node: [18, 20]
      exclude:
        - { os: mac, node: 18 }
      include:
        - { os: linux, coverage: true }
        - { os: bsd, node: 22, experimental: true }
    if: "{{ne matrix.os 'windows'}}"
    continueOnError: "{{default matrix.experimental false}}"
    run: echo "{{matrix.os}} {{matrix.node}} coverage={{default matrix.coverage false}}" && test {{matrix.os}} != bsd
  report:
    needs: [test]
    run: echo {{len tasks.test.outputs}} legs
`;

describe('a GitHub Actions matrix, ported', () => {
  it('runs each leg named by its values; windows is skipped by its condition, bsd fails without failing the run', async () => {
    const { report, events } = await runYaml(CI);
    const statuses = Object.fromEntries(Object.entries(report.tasks).map(([id, r]) => [id, r.status === 'skipped' ? `skipped:${r.reason}` : r.status]));
    expect(statuses).toEqual({
      'test[os=linux,node=18,coverage=true]': 'success',
      'test[os=linux,node=20,coverage=true]': 'success',
      'test[os=mac,node=20]': 'success',
      'test[os=windows,node=18]': 'skipped:condition',
      'test[os=windows,node=20]': 'skipped:condition',
      'test[os=bsd,node=22,experimental=true]': 'failed',
      report: 'success',
    });
    expect(report.status).toBe('success');
    const linux = report.tasks['test[os=linux,node=20,coverage=true]'];
    expect(linux?.status === 'success' && (linux.output as { stdout: string }).stdout).toBe('linux 20 coverage=true\n');
    const mac = report.tasks['test[os=mac,node=20]'];
    expect(mac?.status === 'success' && (mac.output as { stdout: string }).stdout).toBe('mac 20 coverage=false\n');
    expect(events).toContainEqual({ type: 'task:expand', id: 'test', instances: 6 });
  });

  it('a condition that does not read the leg is decided once for the whole task', async () => {
    const { report } = await runYaml(`
inputs:
  enabled: { type: boolean, default: false }
tasks:
  test:
    matrix: { os: [linux, mac] }
    if: "{{inputs.enabled}}"
    run: echo {{matrix.os}}
`);
    expect(Object.keys(report.tasks)).toEqual(['test']);
    expect(report.tasks.test).toMatchObject({ status: 'skipped', reason: 'condition' });
  });

  it('a plain forEach gets per-item if and continueOnError', async () => {
    const { report } = await runYaml(`
tasks:
  each:
    forEach: [{ n: 1 }, { n: 2, flaky: true }, { n: 3 }]
    if: "{{ne item.n 3}}"
    continueOnError: "{{default item.flaky false}}"
    run: test {{item.n}} = 1
`);
    expect(report.tasks['each[0]']?.status).toBe('success');
    expect(report.tasks['each[1]']?.status).toBe('failed');
    expect(report.tasks['each[2]']).toMatchObject({ status: 'skipped', reason: 'condition' });
    expect(report.status).toBe('success');
  });

  it('--resume finds each leg by its name: a leg that succeeded is reused, the failed one runs again', async () => {
    const yaml = `
tasks:
  test:
    matrix: { n: [1, 2] }
    run: test {{matrix.n}} = 1 && echo ran {{matrix.n}}
`;
    const first = await runYaml(yaml);
    const second = await runYaml(yaml, { resume: first.report });
    expect(second.report.tasks['test[n=1]']).toMatchObject({ status: 'success', resumed: true });
    expect(second.report.tasks['test[n=2]']).toMatchObject({ status: 'failed' });
  });

  it('a failing leg without continueOnError fails the run', async () => {
    const { report } = await runYaml(`
tasks:
  test:
    matrix: { n: [1, 2] }
    run: test {{matrix.n}} = 1
`);
    expect(report.tasks['test[n=2]']?.status).toBe('failed');
    expect(report.status).toBe('failed');
  });
});
