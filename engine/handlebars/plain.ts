// The common template shape read without Handlebars: text and plain `{{a.b.c}}` paths.
// Importing Handlebars costs ~50 ms at start; a run whose templates are all this shape
// (most shell pipelines) never loads it.

// `{{a.b}}` or `{{{a.b}}}`: a dotted path of plain names (the same shape validation reads without Handlebars).
const PLAIN_MUSTACHE = /\{\{(\{?)\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*(\}?)\}\}/y;
// Names Handlebars reads as something else than a path at the start.
const KEYWORDS = new Set(['else', 'this', 'true', 'false', 'null', 'undefined']);

/**
 * The AST Handlebars would give for `source` when it is only text and plain path mustaches;
 * undefined for anything else (helpers, blocks, comments, escapes, whitespace control), which
 * then goes through Handlebars' own parser.
 * @example parsePlain('out/{{item.name}}.json', helpers)?.body.length // 3
 */
export function parsePlain(source: string, helpers: ReadonlyMap<string, unknown>): hbs.AST.Program | undefined {
  const body: hbs.AST.Statement[] = [];
  let from = 0;
  for (let at = source.indexOf('{{'); at !== -1; at = source.indexOf('{{', from)) {
    if (at > 0 && (source[at - 1] === '\\' || source[at - 1] === '{')) return undefined;
    PLAIN_MUSTACHE.lastIndex = at;
    const match = PLAIN_MUSTACHE.exec(source);
    if (!match || match[1] !== match[3]) return undefined;
    const parts = match[2]!.split('.');
    if (KEYWORDS.has(parts[0]!) || (parts.length === 1 && helpers.has(parts[0]!))) return undefined;
    if (at > from) body.push(content(source.slice(from, at)));
    body.push(mustache(parts, match[1] === ''));
    from = PLAIN_MUSTACHE.lastIndex;
  }
  if (from < source.length) body.push(content(source.slice(from)));
  return { type: 'Program', body, blockParams: [], loc: LOC } as unknown as hbs.AST.Program;
}

const LOC = { source: undefined, start: { line: 1, column: 0 }, end: { line: 1, column: 0 } };

function content(value: string): hbs.AST.Statement {
  return { type: 'ContentStatement', value, original: value, loc: LOC } as unknown as hbs.AST.Statement;
}

function mustache(parts: string[], escaped: boolean): hbs.AST.Statement {
  const path = { type: 'PathExpression', data: false, depth: 0, parts, original: parts.join('.'), loc: LOC };
  return { type: 'MustacheStatement', path, params: [], hash: undefined, escaped, strip: { open: false, close: false }, loc: LOC } as unknown as hbs.AST.Statement;
}
