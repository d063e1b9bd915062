import { describe, expect, it } from 'vitest';
import { expandMatrix, instanceName } from '../../engine/plan/matrix.js';

describe('expandMatrix', () => {
  it('is the product of the axes, first axis slowest', () => {
    expect(expandMatrix({ axes: { version: [10, 12], os: ['ubuntu', 'windows'] }, include: [], exclude: [] })).toEqual([
      { version: 10, os: 'ubuntu' },
      { version: 10, os: 'windows' },
      { version: 12, os: 'ubuntu' },
      { version: 12, os: 'windows' },
    ]);
  });

  it('reads include the way GitHub Actions documents it (the fruit and animal example)', () => {
    const legs = expandMatrix({
      axes: { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
      exclude: [],
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    });
    expect(legs).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('excludes on a partial match before include, and include never brings an excluded leg back by extension', () => {
    const legs = expandMatrix({
      axes: { os: ['macos', 'windows', 'ubuntu'], version: [12, 14, 16], env: ['staging', 'production'] },
      exclude: [{ os: 'macos', version: 12, env: 'production' }, { os: 'windows', version: 16 }],
      include: [{ os: 'windows', version: 16, env: 'staging' }],
    });
    expect(legs).toHaveLength(18 - 1 - 2 + 1);
    expect(legs).not.toContainEqual({ os: 'macos', version: 12, env: 'production' });
    expect(legs.at(-1)).toEqual({ os: 'windows', version: 16, env: 'staging' });
  });

  it('with include only, each entry is a leg', () => {
    expect(expandMatrix({ axes: {}, exclude: [], include: [{ a: 42 }, { a: 'foo' }] })).toEqual([{ a: 42 }, { a: 'foo' }]);
  });

  it('compares object values by content', () => {
    const legs = expandMatrix({ axes: { cfg: [{ a: 1 }, { a: 2 }] }, exclude: [{ cfg: { a: 1 } }], include: [] });
    expect(legs).toEqual([{ cfg: { a: 2 } }]);
  });
});

describe('instanceName', () => {
  it('names a leg by its values', () => {
    expect(instanceName('test', { os: 'linux', node: 20 })).toBe('test[os=linux,node=20]');
    expect(instanceName('t', { label: 'a,b', on: true, cfg: { x: 1 } })).toBe('t[label="a,b",on=true,cfg={"x":1}]');
  });
});
