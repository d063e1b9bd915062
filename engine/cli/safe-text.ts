import { stripVTControlCharacters } from 'node:util';

// C0 and C1 control characters but tab; ESC among them, should a sequence survive the strip.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A line of task output as weft may print it: ANSI and OSC sequences removed (a task must not
 * move weft's cursor, retitle the terminal, or forge a hyperlink or a `✓` line over another), and
 * any other control character shown as `�`.
 * @example safeLine('\x1b]0;owned\x07ok \x1b[31mred\x1b[0m') // 'ok red'
 */
export function safeLine(line: string): string {
  return stripVTControlCharacters(line).replace(CONTROL, '\ufffd');
}
