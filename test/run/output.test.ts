// checkOutput names where in an output JSON cannot follow: the path of the first bad value.
import { describe, expect, it } from 'vitest';
import { checkOutput } from '../../engine/run/output.js';

describe('checkOutput', () => {
  it('accepts what JSON can hold', () => {
    expect(checkOutput({ a: [1, 'x', null, { b: true }], c: undefined })).toBeUndefined();
    expect(checkOutput(3)).toBeUndefined();
  });

  it('names the path of a bigint, a function or a symbol, nested in objects and arrays', () => {
    expect(checkOutput(10n)?.message).toBe('output is a bigint, which JSON cannot hold');
    expect(checkOutput({ a: [1, { f: () => 1 }] })?.message).toBe('output.a[1].f is a function, which JSON cannot hold');
    expect(checkOutput([[Symbol('s')]])).toEqual({ code: 'OUTPUT_INVALID', message: 'output[0][0] is a symbol, which JSON cannot hold' });
  });

  it('names a cycle where it closes, and lets a value shared by two branches pass', () => {
    const shared = { n: 1 };
    expect(checkOutput({ x: shared, y: shared })).toBeUndefined();
    const loop: Record<string, unknown> = { a: { } };
    (loop['a'] as Record<string, unknown>)['back'] = loop;
    expect(checkOutput(loop)?.message).toBe('output.a.back refers back to itself (a cycle), which JSON cannot hold');
  });
});
