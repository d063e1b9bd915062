/** ANSI styling for the live view; identity functions when color is off (NO_COLOR, not a TTY). */
export type Style = Record<'green' | 'red' | 'yellow' | 'dim' | 'bold', (s: string) => string>;

export function createStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
