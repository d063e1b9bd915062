import type {} from 'handlebars';
import { WeftError } from '../errors.js';
import { createShellLexer, type QuoteStart, type ShellLexer, type ShellSpot } from './shell-context.js';

// Internal helpers the rewritten AST calls. The double underscore keeps them out of the way of
// plugin helpers (a plugin helper with one of these names collides loudly).
export const READ = '__read';
export const READ_DATA = '__readData';
/** A read that gives undefined for a missing path: `env.*`, `matrix.*`, `item.*` as an argument of `default`. */
export const READ_OPTIONAL = '__readOptional';
export const TEXT = '__text';
export const SHELL = '__shell';
export const CAPTURE = '__capture';

/** What the rewriter needs to know about a helper. */
export type HelperSpec = {
  min: number;
  max: number;
  /** May be used as `{{#name}}…{{/name}}`. */
  block: boolean;
  /** Its block runs in the caller's context (`if`, `unless`), so root paths stay root paths. */
  keepsContext: boolean;
};

/**
 * How the rewritten template outputs values: `text` for every string, `shell` for shell commands
 * (`{{x}}` quoted, `{{{x}}}` raw), `value` for a template that is one `{{expr}}` and yields the value.
 */
export type OutputMode = 'text' | 'shell' | 'value';

export type RewriteContext = {
  helpers: ReadonlyMap<string, HelperSpec>;
  partials: ReadonlySet<string>;
};

export type Rewritten = {
  program: hbs.AST.Program;
  /** Data paths read from the root scope, e.g. `tasks.scan.output.json`. */
  paths: string[];
};

/** Where we are in the template: names bound by `as |x|`, and how many blocks changed `this`. */
type Scope = { blockParams: readonly string[]; contextDepth: number };

/** In shell mode, `lexer` follows the command's literal text so each `{{x}}` knows its quoting context. */
type Walk = RewriteContext & { paths: Set<string>; shell: boolean; lexer: ShellLexer | undefined; inlinePartials: Set<string> };

/**
 * Rewrite a parsed template so Handlebars does exactly what weft's spec says:
 * - every data path becomes `(__read base prefix ...parts)`, a strict own-property read that names
 *   the full missing path (Handlebars' own strict mode skips helper params and says only "x not
 *   defined in [object Object]");
 * - every `{{…}}` outputs through `__text` (JSON for objects), or `__shell` (quoted) in shell mode;
 * - in `value` mode the single `{{expr}}` becomes `{{__capture expr}}`, which hands back the value.
 * Unknown helpers and wrong argument counts are found here, before anything runs.
 * @example rewriteTemplate(hb.parse('{{len tasks.a.outputs}}'), ctx, 'text').paths // ['tasks.a.outputs']
 */
export function rewriteTemplate(program: hbs.AST.Program, context: RewriteContext, mode: OutputMode, start: QuoteStart = 'word'): Rewritten {
  const shell = mode === 'shell';
  const walk: Walk = { ...context, paths: new Set(), shell, lexer: shell ? createShellLexer(start) : undefined, inlinePartials: new Set() };
  collectInlinePartials(program, walk.inlinePartials);
  const root: Scope = { blockParams: [], contextDepth: 0 };
  const whole = mode === 'value' ? findWholeValue(program) : undefined;
  if (whole) {
    const capture = mustache(CAPTURE, [mustacheValue(whole, walk, root)], whole);
    return { program: { ...program, body: [capture] } as hbs.AST.Program, paths: [...walk.paths] };
  }
  return { program: rewriteProgram(program, walk, root), paths: [...walk.paths] };
}

/**
 * The one mustache of a template that is exactly `{{expr}}`, surrounding whitespace allowed.
 * @example findWholeValue(hb.parse(' {{tasks.a.output}}\n')) // the MustacheStatement
 */
export function findWholeValue(program: hbs.AST.Program): hbs.AST.MustacheStatement | undefined {
  let found: hbs.AST.MustacheStatement | undefined;
  for (const node of program.body) {
    if (node.type === 'ContentStatement' && (node as hbs.AST.ContentStatement).value.trim() === '') continue;
    if (node.type !== 'MustacheStatement' || found) return undefined;
    found = node as hbs.AST.MustacheStatement;
  }
  return found;
}

function rewriteProgram(program: hbs.AST.Program, walk: Walk, scope: Scope): hbs.AST.Program {
  return { ...program, body: program.body.map((node) => rewriteStatement(node, walk, scope)) };
}

function rewriteStatement(node: hbs.AST.Statement, walk: Walk, scope: Scope): hbs.AST.Statement {
  switch (node.type) {
    case 'ContentStatement':
      walk.lexer?.feed((node as hbs.AST.ContentStatement).value);
      return node;
    case 'CommentStatement':
      return node;
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      if (!walk.lexer || !m.escaped) return mustache(TEXT, [mustacheValue(m, walk, scope)], m);
      const spot = walk.lexer.spot(where(m));
      // The shell ignores a comment: what is in it is not a template, and reads nothing.
      if (spot.kind === 'comment') return { type: 'ContentStatement', original: '', value: '', loc: m.loc } as unknown as hbs.AST.ContentStatement;
      return mustache(SHELL, [mustacheValue(m, walk, scope), ...spotParams(spot, m.loc)], m);
    }
    case 'BlockStatement':
      return rewriteBlock(node as hbs.AST.BlockStatement, walk, scope);
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return rewritePartial(node as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement, walk, scope);
    case 'DecoratorBlock': {
      const d = node as hbs.AST.DecoratorBlock;
      if (d.path.original !== 'inline') throw unknownHelper(d.path.original, d);
      return { ...d, program: rewriteProgram(d.program, walk, scope) } as hbs.AST.DecoratorBlock;
    }
    default:
      // `{{* decorator}}`: Handlebars decorators are not part of weft's template language.
      throw unknownHelper(String((node as { path?: { original?: unknown } }).path?.original ?? node.type), node);
  }
}

function rewriteBlock(node: hbs.AST.BlockStatement, walk: Walk, scope: Scope): hbs.AST.BlockStatement {
  const name = helperName(node.path, scope);
  const spec = name === undefined ? undefined : walk.helpers.get(name);
  if (!spec) {
    if (name !== undefined) throw unknownHelper(name, node);
    throw syntax(`{{#${node.path.original}}} needs a block helper: use {{#if}}, {{#each}} or {{#with}}`, node);
  }
  if (!spec.block) throw syntax(`${name} is not a block helper: write {{#if (${name} …)}}`, node);
  checkArity(name!, spec, node.params.length, node);
  const before = walk.lexer?.state();
  const inner: Scope = {
    blockParams: [...(node.program?.blockParams ?? []), ...scope.blockParams],
    contextDepth: scope.contextDepth + (spec.keepsContext ? 0 : 1),
  };
  const rewritten = {
    ...node,
    params: node.params.map((p) => rewriteValue(p, walk, scope)),
    hash: rewriteHash(node.hash, walk, scope),
    program: node.program && rewriteProgram(node.program, walk, inner),
  };
  checkBalanced(walk, before, node);
  // `{{else}}` runs in the caller's context for every helper that ships (each, with, if, unless).
  rewritten.inverse = node.inverse && rewriteProgram(node.inverse, walk, scope);
  checkBalanced(walk, before, node);
  return rewritten;
}

// A block may run zero, one or many times: each way, the text after it must be in the same
// quoting context, or no placeholder after it could be quoted right.
function checkBalanced(walk: Walk, before: string | undefined, node: hbs.AST.Node): void {
  if (before === undefined || walk.lexer!.state() === before) return;
  throw syntax('a block in a shell command must close the quotes (or comment, here-document) it opens', node);
}

function spotParams(spot: ShellSpot, loc: hbs.AST.SourceLocation): hbs.AST.Expression[] {
  if (spot.kind !== 'heredoc') return [string(spot.kind, loc)];
  const flag = (value: boolean): hbs.AST.BooleanLiteral => ({ type: 'BooleanLiteral', value, original: value, loc });
  return [string(spot.kind, loc), string(spot.delimiter, loc), flag(spot.literal), flag(spot.stripTabs)];
}

function rewritePartial(
  node: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement,
  walk: Walk,
  scope: Scope,
): hbs.AST.Statement {
  // In a shell command a partial is compiled once per quoting context it can start in (see
  // shellPartialName); here or in a here-document no variant fits.
  const spot = walk.lexer?.spot(where(node));
  if (spot && spot.kind !== 'word' && spot.kind !== 'double' && spot.kind !== 'single') throw syntax('a partial cannot go into a here-document of a shell command', node);
  let name: hbs.AST.PathExpression | hbs.AST.SubExpression = node.name;
  const quoted = spot?.kind === 'double' || spot?.kind === 'single' ? spot.kind : undefined;
  // `@partial-block` is the caller's own block, rewritten where the caller wrote it.
  if (quoted && !(name.type === 'PathExpression' && String(name.original).startsWith('@'))) {
    if (name.type !== 'PathExpression' || !walk.partials.has(String(name.original))) throw syntax('inside quotes in a shell command, name a partial from the partials folder', node);
    const variant = shellPartialName(String(name.original), quoted);
    name = { ...name, parts: [variant], original: variant };
  } else if (name.type === 'SubExpression') {
    name = rewriteValue(name, walk, scope) as hbs.AST.SubExpression;
  } else {
    const partial = String((name as hbs.AST.PathExpression).original);
    const known = partial.startsWith('@') || walk.partials.has(partial) || walk.inlinePartials.has(partial);
    if (!known) throw syntax(`unknown partial "${partial}"`, node);
  }
  const rewritten = {
    ...node,
    name,
    params: node.params.map((p) => rewriteValue(p, walk, scope)),
    hash: rewriteHash(node.hash, walk, scope),
  };
  if (node.type === 'PartialBlockStatement') {
    const block = node as hbs.AST.PartialBlockStatement;
    return { ...rewritten, program: rewriteProgram(block.program, walk, scope) } as hbs.AST.PartialBlockStatement;
  }
  return rewritten as hbs.AST.PartialStatement;
}

/** What `{{path params}}` evaluates to, as one expression: a helper call, a data read or a literal. */
function mustacheValue(node: hbs.AST.MustacheStatement, walk: Walk, scope: Scope): hbs.AST.Expression {
  const path = node.path;
  const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
  if (path.type !== 'PathExpression') {
    if (hasArgs) throw unknownHelper(String((path as hbs.AST.StringLiteral).original), node);
    return path;
  }
  const p = path as hbs.AST.PathExpression;
  const name = helperName(p, scope);
  if (name !== undefined && walk.helpers.has(name)) return rewriteCall(p, node.params, node.hash, node, walk, scope);
  if (hasArgs) throw unknownHelper(p.original, node);
  return rewriteValue(p, walk, scope);
}

/** Rewrite an expression used as a value: a param, a hash value, a partial's context. */
function rewriteValue(node: hbs.AST.Expression, walk: Walk, scope: Scope): hbs.AST.Expression {
  if (node.type === 'SubExpression') {
    const sub = node as hbs.AST.SubExpression;
    return rewriteCall(sub.path, sub.params, sub.hash, sub, walk, scope);
  }
  if (node.type !== 'PathExpression') return node;
  return rewritePath(node as hbs.AST.PathExpression, walk, scope);
}

/**
 * The name a shell-mode partial is registered under for a start inside the author's quotes.
 * @example shellPartialName('greet', 'single') // 'greet::single'
 */
export function shellPartialName(name: string, start: QuoteStart): string {
  return start === 'word' ? name : `${name}::${start}`;
}

function rewriteCall(
  path: hbs.AST.PathExpression,
  params: hbs.AST.Expression[],
  hash: hbs.AST.Hash | undefined,
  node: hbs.AST.Node,
  walk: Walk,
  scope: Scope,
): hbs.AST.SubExpression {
  const name = helperName(path, scope);
  const spec = name === undefined ? undefined : walk.helpers.get(name);
  if (!spec) throw unknownHelper(path.original, node);
  checkArity(name!, spec, params.length, node);
  // `{{default env.CI "false"}}` is how a template says "this may be unset": env variables, and
  // keys only some matrix legs (or items) have. A missing task output is still a typo to report.
  const lenient = name === 'default';
  return {
    type: 'SubExpression',
    path,
    params: params.map((p) => (lenient ? optionalRead(rewriteValue(p, walk, scope)) : rewriteValue(p, walk, scope))),
    hash: rewriteHash(hash, walk, scope),
    loc: node.loc,
  } as hbs.AST.SubExpression;
}

function rewritePath(path: hbs.AST.PathExpression, walk: Walk, scope: Scope): hbs.AST.Expression {
  const parts = path.parts;
  // `this`, `.`, `..`: the context itself, nothing to look up.
  if (parts.length === 0) return path;
  const head = parts[0]!;
  const loc = path.loc;
  if (path.data) {
    if (path.depth === 0 && head === 'root' && parts.length > 1) walk.paths.add(parts.slice(1).join('.'));
    const depth: hbs.AST.NumberLiteral = { type: 'NumberLiteral', value: path.depth, original: path.depth, loc };
    const prefix = string(`@${'../'.repeat(path.depth)}`, loc);
    return call(READ_DATA, [depth, prefix, ...parts.map((part) => string(part, loc))], loc);
  }
  if (path.depth === 0 && !isScoped(path) && scope.blockParams.includes(head)) {
    if (parts.length === 1) return path;
    const param = { type: 'PathExpression', data: false, depth: 0, parts: [head], original: head, loc };
    return call(READ, [param, string(`${head}.`, loc), ...parts.slice(1).map((part) => string(part, loc))], loc);
  }
  if (path.depth === scope.contextDepth) walk.paths.add(parts.join('.'));
  const base = { type: 'PathExpression', data: false, depth: path.depth, parts: [], original: 'this', loc };
  const prefix = '../'.repeat(path.depth);
  return call(READ, [base, string(prefix, loc), ...parts.map((part) => string(part, loc))], loc);
}

const LENIENT_ROOTS = new Set(['env', 'matrix', 'item']);

function optionalRead(node: hbs.AST.Expression): hbs.AST.Expression {
  if (node.type !== 'SubExpression') return node;
  const sub = node as hbs.AST.SubExpression;
  const head = (sub.path as hbs.AST.PathExpression).original;
  const [, prefix, first] = sub.params as hbs.AST.StringLiteral[];
  if (head !== READ || prefix?.value !== '' || !LENIENT_ROOTS.has(first?.value ?? '')) return node;
  return { ...sub, path: pathTo(READ_OPTIONAL, sub.loc) } as hbs.AST.SubExpression;
}

function rewriteHash(hash: hbs.AST.Hash | undefined, walk: Walk, scope: Scope): hbs.AST.Hash {
  if (!hash) return hash as unknown as hbs.AST.Hash;
  return { ...hash, pairs: hash.pairs.map((pair) => ({ ...pair, value: rewriteValue(pair.value, walk, scope) })) };
}

/** The helper a path names, if it can name one: a bare identifier that no `as |x|` shadows. */
function helperName(path: hbs.AST.PathExpression, scope: Scope): string | undefined {
  if (path.data || path.depth > 0 || path.parts.length !== 1 || isScoped(path)) return undefined;
  const name = path.parts[0]!;
  return scope.blockParams.includes(name) ? undefined : name;
}

// `this.x` and `./x` mean data even when x is also a helper's name.
function isScoped(path: hbs.AST.PathExpression): boolean {
  return /^(\.|this)(\/|\.|$)/.test(path.original);
}

function checkArity(name: string, spec: HelperSpec, count: number, node: hbs.AST.Node): void {
  if (count >= spec.min && count <= spec.max) return;
  const wanted = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
  throw syntax(`helper ${name} takes ${wanted} argument${wanted === '1' ? '' : 's'}, got ${count}`, node);
}

function collectInlinePartials(program: hbs.AST.Program | undefined, into: Set<string>): void {
  for (const node of program?.body ?? []) {
    const block = node as hbs.AST.BlockStatement;
    if (node.type === 'DecoratorBlock' && block.path.original === 'inline') {
      const name = block.params[0] as hbs.AST.StringLiteral | undefined;
      if (name?.type === 'StringLiteral') into.add(name.value);
    }
    collectInlinePartials(block.program, into);
    collectInlinePartials(block.inverse, into);
  }
}

function mustache(helper: string, params: hbs.AST.Expression[], like: hbs.AST.MustacheStatement): hbs.AST.MustacheStatement {
  return {
    type: 'MustacheStatement',
    path: pathTo(helper, like.loc),
    params,
    hash: undefined as unknown as hbs.AST.Hash,
    escaped: false,
    strip: like.strip,
    loc: like.loc,
  };
}

function call(helper: string, params: object[], loc: hbs.AST.SourceLocation): hbs.AST.SubExpression {
  return {
    type: 'SubExpression',
    path: pathTo(helper, loc),
    params: params as hbs.AST.Expression[],
    hash: undefined as unknown as hbs.AST.Hash,
    loc,
  };
}

function pathTo(name: string, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function string(value: string, loc: hbs.AST.SourceLocation): hbs.AST.StringLiteral {
  return { type: 'StringLiteral', value, original: value, loc };
}

function where(node: hbs.AST.Node): string {
  const start = node.loc?.start;
  return start ? ` at line ${start.line}, column ${start.column + 1}` : '';
}

function unknownHelper(name: string, node: hbs.AST.Node): WeftError {
  return new WeftError('UNKNOWN_HELPER', `unknown helper "${name}"${where(node)}`);
}

function syntax(message: string, node: hbs.AST.Node): WeftError {
  return new WeftError('TEMPLATE_SYNTAX', `${message}${where(node)}`);
}
