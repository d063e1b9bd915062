import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml } from '../support/project.js';

describe('--dry-run', () => {
  it('runs nothing, renders what it can, and reports outputs as written', async () => {
    const { report, dir } = await runYaml(`inputs: { name: { type: string, default: "a b" } }
tasks:
  make: { run: "touch made && echo {{inputs.name}}" }
  use: { needs: [make], run: "echo {{tasks.make.output.stdout}}" }
outputs:
  said: "{{tasks.use.output.stdout}}"
`, { dryRun: true });
    expect(report.status).toBe('success');
    expect(existsSync(path.join(dir, 'made'))).toBe(false);
    expect(report.tasks.make).toMatchObject({ status: 'success', output: { dryRun: true, with: { command: "touch made && echo 'a b'" } } });
    // Upstream output does not exist in a dry run: the template is shown unrendered.
    expect(report.tasks.use).toMatchObject({ output: { with: { command: 'echo {{tasks.make.output.stdout}}' } } });
    expect(report.outputs).toEqual({ said: '{{tasks.use.output.stdout}}' });
  });
});
