import { styleText } from 'node:util';

/** Colors for the terminal; identity functions when color is off. */
export type Style = Record<'green' | 'red' | 'yellow' | 'dim' | 'bold', (s: string) => string>;

type Format = Parameters<typeof styleText>[0];

/**
 * Styling by node's own util.styleText. Whether to color is decided once, by colorEnabled, so
 * styleText must not second-guess it from a stream (a test's fake stream, a pipe under FORCE_COLOR).
 */
export function createStyle(color: boolean): Style {
  const wrap = (format: Format) => (s: string) => (color ? styleText(format, s, { validateStream: false }) : s);
  return { green: wrap('green'), red: wrap('red'), yellow: wrap('yellow'), dim: wrap('dim'), bold: wrap('bold') };
}

/**
 * Color on a terminal, unless NO_COLOR (any non-empty value, https://no-color.org) says no;
 * FORCE_COLOR (anything but 0 or false) turns it on even in a pipe, and wins over NO_COLOR, as in
 * node itself. Color only: neither one changes which view is shown.
 * @example colorEnabled({ FORCE_COLOR: '1' }, false) // true
 */
export function colorEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return isTTY;
}
