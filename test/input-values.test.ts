// One value layer: `weft validate`, `--var` and `weft run` agree on what an input accepts.
import { describe, expect, it } from 'vitest';
import { inputProblem } from '../engine/input-values.js';
import { spawnBin } from './cli/support.js';
import { makeProject } from './support/project.js';

const listEnum = `inputs:
  pair: { type: array, enum: [[a, b], [c]], default: [a, b] }
tasks:
  show: { run: "echo {{json inputs.pair}}" }
`;

describe('input values', () => {
  it('an array enum with an array default passes validate and runs, with the default and with --var', async () => {
    const cwd = makeProject({ 'pipelines/pairs.yaml': listEnum });
    expect((await spawnBin(['validate', 'pairs'], { cwd })).code).toBe(0);
    const byDefault = await spawnBin(['run', 'pairs', '--json'], { cwd });
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(JSON.parse(byDefault.stdout).tasks.show.output.stdout.trim()).toBe('["a","b"]');
    const given = await spawnBin(['run', 'pairs', '--var', 'pair=["c"]', '--json'], { cwd });
    expect(given.code, given.stderr).toBe(0);
    const refused = await spawnBin(['run', 'pairs', '--var', 'pair=["b"]'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('input "pair" must be one of ["a","b"], ["c"]');
  });

  it('names types with the right article and refuses numbers JSON cannot hold', () => {
    expect(inputProblem({ type: 'array' }, 'x')).toBe('must be an array, got string');
    expect(inputProblem({ type: 'integer' }, 1.5)).toBe('must be an integer, got number');
    expect(inputProblem({ type: 'number' }, 3)).toBeUndefined();
    expect(inputProblem({ type: 'number' }, Number.POSITIVE_INFINITY)).toMatch(/finite/);
  });

  it('a default of the wrong type is reported by validate at its line, in the same words', async () => {
    const cwd = makeProject({ 'pipelines/bad.yaml': 'inputs:\n  tags: { type: array, default: x }\ntasks:\n  a: { run: "true" }\n' });
    const result = await spawnBin(['validate', 'bad'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:2:\d+: inputs\.tags: default must be an array, got string/);
  });
});
