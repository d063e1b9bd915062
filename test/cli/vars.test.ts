import { describe, expect, it } from 'vitest';
import { parseVars } from '../../engine/cli/vars.js';
import type { InputSpec } from '../../engine/types.js';

const inputs: Record<string, InputSpec> = {
  name: { type: 'string' },
  ratio: { type: 'number' },
  count: { type: 'integer' },
  strict: { type: 'boolean' },
  files: { type: 'array' },
  opts: { type: 'object' },
  level: { type: 'string', enum: ['low', 'high'] },
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('parseVars', () => {
  it('types each value by the declared input type', () => {
    expect(
      parseVars(['name=a=b', 'ratio=0.5', 'count=3', 'strict=false', 'files=["x","y"]', 'opts={"k":1}', 'level=high'], inputs),
    ).toEqual({ name: 'a=b', ratio: 0.5, count: 3, strict: false, files: ['x', 'y'], opts: { k: 1 }, level: 'high' });
  });

  it('reads decimal numbers as JSON writes them', () => {
    expect(parseVars(['ratio=-1.5e3', 'count=0'], inputs)).toEqual({ ratio: -1500, count: 0 });
  });

  it('keeps an empty string for a string input', () => {
    expect(parseVars(['name='], inputs)).toEqual({ name: '' });
  });

  it.each([
    ['ratio=abc'],
    ['ratio='],
    ['count=1.5'],
    ['count=0x10'],
    ['ratio= 5'],
    ['ratio=Infinity'],
    ['strict=yes'],
    ['files={"a":1}'],
    ['opts=[1]'],
    ['opts=not json'],
    ['level=medium'],
    ['nokey'],
    ['=value'],
    ['unknown=1'],
  ])('rejects %s with INPUT_INVALID', (pair) => {
    expect(codeOf(() => parseVars([pair], inputs))).toBe('INPUT_INVALID');
  });

  it('does not treat inherited object keys as inputs', () => {
    expect(codeOf(() => parseVars(['constructor=1'], inputs))).toBe('INPUT_INVALID');
  });
});
