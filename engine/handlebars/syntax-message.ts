// Handlebars' parser reports what its grammar expected ("Expecting 'OPEN_INVERSE_CHAIN',
// 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'"). People need the mistake in their own terms: which
// `{{#block}}` is never closed, which `{{` never ends, with the line and column in the template.
// A small scan of the template's mustaches finds them; the parser still decides what is an error.

type Tag = { kind: 'open' | 'close' | 'else' | 'other'; name: string; text: string; line: number; col: number; index: number };

/** Where `index` is in `source`, 1-based. */
function positionOf(source: string, index: number): { line: number; col: number } {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - before.lastIndexOf('\n') };
}

const at = (p: { line: number; col: number }) => `line ${p.line}, column ${p.col}`;

/**
 * The mustaches of a template in order, and the first `{{` that has no `}}`, if any.
 * @example scanTags('{{#if x}}a').tags[0] // { kind: 'open', name: 'if', text: '{{#if x}}', line: 1, col: 1, … }
 */
export function scanTags(source: string): { tags: Tag[]; unterminated?: { line: number; col: number } } {
  const tags: Tag[] = [];
  for (let i = source.indexOf('{{'); i !== -1; ) {
    const comment = source.startsWith('{{!--', i) ? '--}}' : source.startsWith('{{!', i) ? '}}' : undefined;
    const end = source.indexOf(comment ?? '}}', i + 2);
    if (end === -1) return { tags, unterminated: positionOf(source, i) };
    let stop = end + (comment ?? '}}').length;
    while (source[stop] === '}') stop++;
    if (!comment) {
      const inner = source.slice(i + 2, end).replace(/^\{+/, '').replace(/^~/, '').replace(/~$/, '').trim();
      const sigil = inner[0];
      const words = inner.replace(/^[#^/]\s*[>*]?\s*/, '').split(/[\s}]/);
      const name = words[0] ?? '';
      const kind = sigil === '#' || (sigil === '^' && name !== '') ? 'open' : sigil === '/' ? 'close' : /^(else\b|\^$)/.test(inner) ? 'else' : 'other';
      tags.push({ kind, name, text: source.slice(i, stop), ...positionOf(source, i), index: i });
    }
    i = source.indexOf('{{', stop);
  }
  return { tags };
}

/**
 * A parse error of `source` in words, with the line and column in the template.
 * @example describeSyntaxError('a\n{{#if x}}b', parserMessage) // '`{{#if}}` at line 2, column 1 is never closed: add {{/if}}'
 */
export function describeSyntaxError(source: string, parserMessage: string): string {
  const { tags, unterminated } = scanTags(source);
  if (unterminated) return `\`{{\` at ${at(unterminated)} is never closed with \`}}\``;
  const stack: Tag[] = [];
  const elses = new Map<Tag, number>();
  for (const tag of tags) {
    if (/^\{\{~?\s*[#^/>]?\s*~?\}\}$/.test(tag.text)) return `\`${tag.text}\` at ${at(tag)} is empty: it needs a name or a value`;
    if (tag.kind === 'open') stack.push(tag);
    else if (tag.kind === 'else') {
      const block = stack.at(-1);
      if (!block) return `\`{{else}}\` at ${at(tag)} is outside any block`;
      elses.set(block, (elses.get(block) ?? 0) + 1);
      if (elses.get(block)! > 1 && !/^else\s+\S/.test(tag.text.slice(2, -2).trim())) {
        return `a second \`{{else}}\` at ${at(tag)} in \`{{#${block.name}}}\` (opened at ${at(block)}): a block has one plain {{else}}`;
      }
    } else if (tag.kind === 'close') {
      const block = stack.pop();
      if (!block) return `\`{{/${tag.name}}}\` at ${at(tag)} closes no block`;
      if (block.name !== tag.name) {
        return `\`{{/${tag.name}}}\` at ${at(tag)} does not close \`{{#${block.name}}}\` (opened at ${at(block)}): expected {{/${block.name}}}`;
      }
    } else if (/=\s*~?\}\}$/.test(tag.text)) {
      return `\`${tag.text}\` at ${at(tag)}: a hash argument (name=) needs a value`;
    }
  }
  const open = stack.at(-1);
  if (open) return `\`{{#${open.name}}}\` at ${at(open)} is never closed: add {{/${open.name}}}`;
  return fallbackMessage(parserMessage);
}

const TOKENS: Record<string, string> = {
  EOF: 'the end of the template',
  CLOSE: '`}}`',
  CLOSE_UNESCAPED: '`}}}`',
  CLOSE_SEXPR: '`)`',
  OPEN_SEXPR: '`(`',
  INVERSE: '`{{else}}`',
  OPEN_ENDBLOCK: 'a closing `{{/…}}`',
  INVALID: 'a character that cannot be there',
  OPEN: '`{{`',
  CONTENT: 'text',
};

// Anything the scan did not explain: the parser's line and the excerpt, and what it found, in words.
function fallbackMessage(message: string): string {
  const lines = message.split('\n');
  const head = /^Parse error on line (\d+):$/.exec(lines[0] ?? '');
  const got = /got '([A-Z_]+)'/.exec(message)?.[1];
  if (!head || lines.length < 4) return message.replaceAll('\n', ' ');
  const excerpt = lines[1]!;
  const caret = lines[2]!.indexOf('^');
  const near = `${excerpt.slice(0, caret)}⟪here⟫${excerpt.slice(caret)}`;
  return `unexpected ${got ? (TOKENS[got] ?? got.toLowerCase()) : 'input'} on line ${head[1]} at "${near}"`;
}
