import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellQuote } from '../engine/handlebars/shell-quote.js';

// What sh actually receives as argv, each argument NUL-terminated.
function argvOf(command: string): string[] {
  const out = execFileSync('sh', ['-c', `for a in ${command}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  test('leaves safe words unquoted', () => {
    for (const word of ['a.ts', 'src/x-1', 'file_2.json', 'user@host:/p', '50%', 'a+b', '1,2']) {
      expect(shellQuote(word)).toBe(word);
    }
  });

  test('single-quotes everything else, escaping embedded quotes POSIX style', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('FOO=bar')).toBe(`'FOO=bar'`);
    expect(shellQuote('~')).toBe(`'~'`);
  });

  test('sh reads every quoted value back as exactly one word, unchanged', () => {
    const values = [
      "it's",
      'x; touch pwned',
      '$(id) `id` ${HOME} $HOME',
      'a\nb',
      '*',
      "'''",
      '"double" \\back\\slash',
      '&& || | > < ( ) { } [ ] ! # ~',
      '',
      'tab\there',
    ];
    for (const value of values) expect(argvOf(shellQuote(value))).toEqual([value]);
  });
});
