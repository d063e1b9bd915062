import { describe, expect, test } from 'vitest';
import { MAX_DEPTH, parseYaml } from '../engine/load/yaml.js';

const codes = (text: string) => parseYaml(text, 'x.yaml').problems.map((p) => `${p.code} ${p.line}:${p.col}`);

describe('parseYaml', () => {
  test('returns the value with core-schema types and string keys', () => {
    const { value, problems } = parseYaml('a: 1\nb: true\nc: [x, 2.5]\n1: one\nd: 2001-12-14\n', 'x.yaml');
    expect(problems).toEqual([]);
    // core schema: no timestamps (yaml-1.1), so a date stays a string; keys are strings.
    expect(value).toEqual({ a: 1, b: true, c: ['x', 2.5], '1': 'one', d: '2001-12-14' });
  });

  test('does not merge `<<` keys', () => {
    const { value } = parseYaml('base: &b { x: 1 }\nuse:\n  <<: *b\n', 'x.yaml');
    expect(value).toEqual({ base: { x: 1 }, use: { '<<': { x: 1 } } });
  });

  test('positions point at values, at keys, and at the nearest ancestor of a missing node', () => {
    const parsed = parseYaml('tasks:\n  build:\n    needs: [lint, test]\n    run: make\n', 'x.yaml');
    expect(parsed.positionOf(['tasks', 'build', 'needs', 1])).toEqual({ line: 3, col: 19 });
    expect(parsed.positionOf(['tasks', 'build', 'run'], 'key')).toEqual({ line: 4, col: 5 });
    expect(parsed.positionOf(['tasks', 'build', 'run'])).toEqual({ line: 4, col: 10 });
    // Missing: the key of the deepest node that exists.
    expect(parsed.positionOf(['tasks', 'build', 'with', 'command'])).toEqual({ line: 2, col: 3 });
    expect(parsed.positionOf(['tasks', 'build', 'needs', 9])).toEqual({ line: 3, col: 5 });
  });

  test('keyPositions gives every key of a map in one pass', () => {
    const parsed = parseYaml('tasks:\n  a: { run: x }\n  b:\n    run: y\n', 'x.yaml');
    expect([...parsed.keyPositions(['tasks'])]).toEqual([
      ['a', { line: 2, col: 3 }],
      ['b', { line: 3, col: 3 }],
    ]);
  });

  test('syntax errors and warnings become YAML_SYNTAX problems with positions', () => {
    expect(codes('a: [1, 2\nb: 3\n')).toEqual(['YAML_SYNTAX 2:1']);
    expect(codes('a:\n\tb: 1\n')).toEqual(['YAML_SYNTAX 2:1']);
    expect(codes('a: !custom 1\n')).toEqual(['YAML_SYNTAX 1:4']);
  });

  test('forbidden keys are refused anywhere, at the key, and leave no value', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const parsed = parseYaml(`a:\n  - x: 1\n    ${key}: { polluted: true }\n`, 'x.yaml');
      expect(parsed.problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['YAML_FORBIDDEN_KEY 3:5']);
      expect(parsed.value).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('duplicate keys are DUPLICATE_ID at the second key, in nested maps too', () => {
    expect(codes('a: 1\nb:\n  c: 1\n  c: 2\na: 3\n')).toEqual(['DUPLICATE_ID 4:3', 'DUPLICATE_ID 5:1']);
  });

  test('a billion-laughs alias bomb is YAML_TOO_COMPLEX, not a hang', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const parsed = parseYaml(lines.join('\n'), 'x.yaml');
    expect(parsed.problems.map((p) => p.code)).toEqual(['YAML_TOO_COMPLEX']);
    expect(parsed.value).toBeUndefined();
  });

  test('a few aliases are fine', () => {
    const { value, problems } = parseYaml('a: &a [1]\nb: *a\nc: *a\n', 'x.yaml');
    expect(problems).toEqual([]);
    expect(value).toEqual({ a: [1], b: [1], c: [1] });
  });

  test('100,000 nested brackets return YAML_TOO_COMPLEX instead of overflowing the stack', () => {
    const parsed = parseYaml(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'x.yaml');
    expect(parsed.problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['YAML_TOO_COMPLEX 1:4']);
  });

  test('brackets hidden between quoted strings are caught by the depth walk', () => {
    const parsed = parseYaml(`a: ${'[ "]", '.repeat(5000)}\n`, 'x.yaml');
    expect(parsed.problems.map((p) => p.code)).toEqual(['YAML_TOO_COMPLEX']);
  });

  test('deep block nesting and compact sequences are caught too', () => {
    expect(parseYaml(`${'- '.repeat(20_000)}x\n`, 'x.yaml').problems.map((p) => p.code)).toEqual(['YAML_TOO_COMPLEX']);
    const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
    expect(parseYaml(block, 'x.yaml').problems.map((p) => p.code)).toEqual(['YAML_TOO_COMPLEX']);
  });

  test(`nesting up to ${MAX_DEPTH} levels is accepted`, () => {
    const depth = MAX_DEPTH;
    const { problems } = parseYaml(`${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'x.yaml');
    expect(problems).toEqual([]);
    expect(parseYaml(`${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}\n`, 'x.yaml').problems).toHaveLength(1);
  });

  test('an empty file is a null value, a second document a problem', () => {
    expect(parseYaml('', 'x.yaml').value).toBeNull();
    expect(codes('a: 1\n---\nb: 2\n')).toEqual(['YAML_SYNTAX 2:1']);
  });
});
