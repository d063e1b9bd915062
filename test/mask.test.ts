import { describe, expect, test } from 'vitest';
import { createMasker } from '../engine/mask.js';

describe('createMasker', () => {
  test('replaces every occurrence of every secret', () => {
    const masker = createMasker(['s3cr3t-token', 'hunter2']);
    expect(masker.mask('a s3cr3t-token b s3cr3t-token c hunter2')).toBe('a *** b *** c ***');
  });

  test('matches the longest secret first, so a secret containing another is hidden whole', () => {
    const masker = createMasker(['abc', 'abcdef']);
    expect(masker.mask('x abcdef y abc')).toBe('x *** y ***');
  });

  test('ignores empty and very short secrets, which would mask ordinary text', () => {
    const masker = createMasker(['', 'a', 'ab']);
    expect(masker.mask('a cab ab')).toBe('a cab ab');
    const text = 'unchanged';
    expect(masker.maskDeep({ text })).toEqual({ text });
  });

  test('masks a secret as a shell command quoted it, which a task may echo back', () => {
    const masker = createMasker(["it's-secret"]);
    // echo "token {{secrets.X}}" prints the single-quoted word literally.
    expect(masker.mask("token 'it'\\''s-secret'")).toBe("token '***'");
  });

  test('treats secrets as literal text, not as patterns', () => {
    const masker = createMasker(['a.b*c(d)', '$1^x']);
    expect(masker.mask('axbbbcd a.b*c(d) $1^x')).toBe('axbbbcd *** ***');
  });

  test('add() starts masking a value found during the run', () => {
    const masker = createMasker([]);
    expect(masker.mask('token=fresh-value')).toBe('token=fresh-value');
    masker.add('fresh-value');
    expect(masker.mask('token=fresh-value')).toBe('token=***');
  });

  test('masks the JSON-escaped form and each line of a multi-line secret', () => {
    const pem = '-----BEGIN KEY-----\nAAAAB3NzaC1yc2E\n-----END KEY-----';
    const quoted = 'pa"ss\\word';
    const masker = createMasker([pem, quoted]);
    expect(masker.mask(JSON.stringify({ password: quoted }))).toBe('{"password":"***"}');
    expect(masker.mask(`key: ${pem}`)).toBe('key: ***');
    // Logs arrive line by line: a single line of the key must not leak either.
    expect(masker.mask('line: AAAAB3NzaC1yc2E')).toBe('line: ***');
  });

  test('maskDeep copies objects and arrays with strings and keys masked, leaving the input alone', () => {
    const masker = createMasker(['topsecret']);
    const input = {
      run: 'curl -H "Bearer topsecret"',
      args: ['topsecret', 1, true, null],
      nested: { topsecret: { deep: 'xtopsecretx' } },
    };
    const masked = masker.maskDeep(input);
    expect(masked).toEqual({
      run: 'curl -H "Bearer ***"',
      args: ['***', 1, true, null],
      nested: { '***': { deep: 'x***x' } },
    });
    expect(input.run).toBe('curl -H "Bearer topsecret"');
  });

  test('maskDeep masks error messages and survives cycles', () => {
    const masker = createMasker(['topsecret']);
    const error = Object.assign(new Error('auth failed for topsecret'), { code: 'HTTP_ERROR' });
    const cyclic: Record<string, unknown> = { error, note: 'topsecret' };
    cyclic.self = cyclic;
    const masked = masker.maskDeep(cyclic);
    expect((masked.error as Error).message).toBe('auth failed for ***');
    expect((masked.error as { code: string }).code).toBe('HTTP_ERROR');
    expect(masked.note).toBe('***');
    expect(masked.self).toBe(masked);
  });

  test('with no secrets, maskDeep returns the value itself (the fast path)', () => {
    const value = { a: ['x'] };
    expect(createMasker().maskDeep(value)).toBe(value);
  });

  test('a __proto__ key stays a plain key in the masked copy', () => {
    const masker = createMasker(['topsecret']);
    const input = JSON.parse('{"__proto__": {"polluted": "topsecret"}}') as object;
    const masked = masker.maskDeep(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')?.value).toEqual({ polluted: '***' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
