import type Handlebars from 'handlebars';
import { WeftError } from '../errors.js';
import { describeSyntaxError } from './syntax-message.js';

/**
 * Parse a template, turning Handlebars' parse errors into TEMPLATE_SYNTAX with a one-line
 * message in the template's own terms, with the line and column (syntax-message.ts).
 * @example parseTemplate(hb, '{{#if x}}') // throws TEMPLATE_SYNTAX: `{{#if}}` at line 1, column 1 is never closed: add {{/if}}
 */
export function parseTemplate(hb: typeof Handlebars, source: string): hbs.AST.Program {
  try {
    return hb.parse(source);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new WeftError('TEMPLATE_SYNTAX', `template syntax error: ${describeSyntaxError(source, message)}`, { cause });
  }
}
