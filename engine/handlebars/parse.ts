import type Handlebars from 'handlebars';
import { WeftError } from '../errors.js';

/**
 * Parse a template, turning Handlebars' parse errors into TEMPLATE_SYNTAX with a one-line
 * message that says what was expected and where.
 * @example parseTemplate(hb, '{{#if x}}') // throws TEMPLATE_SYNTAX: … line 1 … got end of template
 */
export function parseTemplate(hb: typeof Handlebars, source: string): hbs.AST.Program {
  try {
    return hb.parse(source);
  } catch (cause) {
    throw new WeftError('TEMPLATE_SYNTAX', describeParseError(cause), { cause });
  }
}

// The parser's message is four lines: "Parse error on line N:", an excerpt, a caret under the
// spot, and "Expecting 'A', 'B', got 'C'". Handlebars' own checks (mismatched blocks) end in " - L:C".
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  const head = /^Parse error on line (\d+):$/.exec(lines[0] ?? '');
  if (!head || lines.length < 4) return `template syntax error: ${message.replaceAll('\n', ' ')}`;
  const excerpt = lines[1]!;
  const caret = lines[2]!.indexOf('^');
  const near = `${excerpt.slice(0, caret)}⟪here⟫${excerpt.slice(caret)}`;
  const expected = lines
    .slice(3)
    .join(' ')
    .replace(/'EOF'/g, 'end of template')
    .replace(/^Expecting/, 'expected');
  return `template syntax error on line ${head[1]} at "${near}": ${expected}`;
}
