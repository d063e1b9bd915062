// Words that POSIX sh reads literally: no globbing, expansion, splitting or operators.
// `=` is left out so a value can never turn into an assignment at the start of a command,
// `~` so it can never expand to a home folder.
const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+]+$/;

/**
 * Quote a string as one POSIX shell word, single-quote style. Safe words stay as they are.
 * @example
 * shellQuote('src/x-1.ts')   // src/x-1.ts
 * shellQuote("it's")         // 'it'\''s'
 * shellQuote('x; rm -rf /')  // 'x; rm -rf /'
 */
export function shellQuote(s: string): string {
  if (SAFE_WORD.test(s)) return s;
  // Inside single quotes nothing is special except the closing quote itself.
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
