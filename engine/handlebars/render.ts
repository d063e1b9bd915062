import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { WeftError, isWeftError, type WeftErrorCode } from '../errors.js';
import type { HelperFn } from '../executor.js';
import { compileDirect, type DirectTemplate } from './direct.js';
import { formatShellAt, formatText } from './format.js';
import { builtinHelpers } from './helpers.js';
import { isTruthy } from '../truthy.js';
import { isTemplate } from './is-template.js';
import { parseTemplate } from './parse.js';
import { parsePlain } from './plain.js';
import { escapeShellComments } from './shell-context.js';
import { readPath } from './read-path.js';
import {
  CAPTURE,
  READ,
  READ_DATA,
  READ_OPTIONAL,
  SHELL,
  TEXT,
  findWholeValue,
  rewriteTemplate,
  shellPartialName,
  type HelperSpec,
  type RewriteContext,
} from './rewrite.js';

// Callers that always need text (the template executor writing a file) format a typed result the same way.
export { formatText } from './format.js';
export { isTemplate } from './is-template.js';

type Delegate = Handlebars.TemplateDelegate;
type Compiled =
  | { kind: 'value' | 'text'; run: Delegate }
  | { kind: 'direct'; run: DirectTemplate }
  | { kind: 'error'; code: WeftErrorCode; message: string };

/**
 * An isolated Handlebars environment with weft's helpers, partials and compiled-template caches.
 * Opaque: create it with createTemplateEngine and hand it to the functions of this module.
 */
export type TemplateEngine = {
  readonly hb: typeof Handlebars;
  readonly context: RewriteContext;
  readonly compileOptions: CompileOptions;
  /** Partials compiled for shell mode, passed at render time so `{{x}}` inside them is quoted too. */
  readonly shellPartials: Record<string, Delegate>;
  readonly cache: { text: Map<string, Compiled>; shell: Map<string, Compiled> };
};

export type RenderOptions = {
  /** A shell command: `{{x}}` is inserted shell-quoted, `{{{x}}}` raw. Always yields a string. */
  shell?: boolean;
  /** Named in every error, e.g. `tasks.build.with.run`. */
  where?: string;
};

// One entry per distinct template source; the cap only matters for generated sources.
const CACHE_LIMIT = 5000;
const CAPTURE_KEY = 'weftCapture';

// Handlebars' own block helpers that weft keeps; `log` (console) and `lookup` (replaced) are dropped.
const BLOCK_HELPERS: Record<string, HelperSpec> = {
  if: { min: 1, max: 1, block: true, keepsContext: true },
  unless: { min: 1, max: 1, block: true, keepsContext: true },
  each: { min: 1, max: 1, block: true, keepsContext: false },
  with: { min: 1, max: 1, block: true, keepsContext: false },
};
const RESERVED = new Set(['log', 'helperMissing', 'blockHelperMissing', READ, READ_DATA, READ_OPTIONAL, TEXT, SHELL, CAPTURE]);

/**
 * Create the isolated template environment for a run: built-in helpers, plugin helpers and partials.
 * @example
 * const engine = createTemplateEngine({ helpers: { upper: (s) => String(s).toUpperCase() } });
 * renderString(engine, '{{upper inputs.name}}', { inputs: { name: 'weft' } }); // 'WEFT'
 */
export function createTemplateEngine(
  options: { helpers?: Record<string, HelperFn>; partials?: Record<string, string> } = {},
): TemplateEngine {
  const helpers = new Map<string, HelperSpec>(Object.entries(BLOCK_HELPERS));
  // Registered into Handlebars when it is first needed (see `hb` below).
  const registered: Array<[string, Handlebars.HelperDelegate]> = [];
  const register = (name: string, fn: (...args: unknown[]) => unknown): void => {
    registered.push([name, fn as Handlebars.HelperDelegate]);
  };

  for (const [name, helper] of Object.entries(builtinHelpers)) {
    helpers.set(name, { min: helper.min, max: helper.max, block: false, keepsContext: true });
    register(name, (...args) => helper.fn(...args.slice(0, -1)));
  }
  // `{{#if}}` and `{{#unless}}` follow weft's one truthiness rule, as `if:` and `not` do.
  register('if', function (this: unknown, value, options) {
    const o = options as Handlebars.HelperOptions;
    return isTruthy(value) ? o.fn(this) : o.inverse(this);
  });
  register('unless', function (this: unknown, value, options) {
    const o = options as Handlebars.HelperOptions;
    return isTruthy(value) ? o.inverse(this) : o.fn(this);
  });
  helpers.set('lookup', { min: 2, max: 2, block: false, keepsContext: true });
  register('lookup', (object, key) => readPath(object, [String(key)], 'lookup.'));
  registerInternalHelpers(register);

  for (const [name, fn] of Object.entries(options.helpers ?? {})) {
    if (helpers.has(name) || RESERVED.has(name)) {
      throw new WeftError('PLUGIN_INVALID', `plugin helper "${name}" collides with the built-in template helper "${name}"`);
    }
    if (typeof fn !== 'function') throw new WeftError('PLUGIN_INVALID', `plugin helper "${name}" is not a function`);
    helpers.set(name, { min: 0, max: Infinity, block: true, keepsContext: false });
    register(name, guardHelper(name, fn));
  }

  const knownHelpers: Record<string, boolean> = { log: false };
  for (const name of [...helpers.keys(), READ, READ_DATA, READ_OPTIONAL, TEXT, SHELL, CAPTURE]) knownHelpers[name] = true;
  const compileOptions: CompileOptions = { strict: true, knownHelpersOnly: true, knownHelpers, noEscape: true };
  const context: RewriteContext = { helpers, partials: new Set(Object.keys(options.partials ?? {})) };

  const shellPartials: Record<string, Delegate> = {};
  const partials = Object.entries(options.partials ?? {});
  // Handlebars (~50 ms to import) is loaded and set up on first use: a run whose strings are
  // plain or simple paths ({{inputs.x}} is parsed without it at validation) never needs it.
  let hb: typeof Handlebars | undefined;
  const setUp = (): typeof Handlebars => {
    const created = loadHandlebars().create();
    created.unregisterHelper('log');
    for (const [name, fn] of registered) created.registerHelper(name, fn);
    for (const [name, source] of partials) {
      try {
        const ast = parseTemplate(created, source);
        created.registerPartial(name, created.compile(rewriteTemplate(ast, context, 'text').program, compileOptions));
        for (const start of ['word', 'double', 'single'] as const) {
          shellPartials[shellPartialName(name, start)] = created.compile(rewriteTemplate(ast, context, 'shell', start).program, compileOptions);
        }
      } catch (error) {
        const e = error as WeftError;
        throw new WeftError(e.code ?? 'TEMPLATE_SYNTAX', `partial "${name}": ${e.message}`, { cause: error });
      }
    }
    return created;
  };
  // Partials are checked as the engine is made, so their errors surface with the pipeline's.
  if (partials.length) hb = setUp();
  return {
    get hb() {
      return (hb ??= setUp());
    },
    context,
    compileOptions,
    shellPartials,
    cache: { text: new Map(), shell: new Map() },
  };
}

let handlebars: typeof Handlebars | undefined;
// Handlebars is CommonJS: required on demand, synchronously, so rendering stays synchronous.
function loadHandlebars(): typeof Handlebars {
  return (handlebars ??= createRequire(import.meta.url)('handlebars') as typeof Handlebars);
}

function registerInternalHelpers(register: (name: string, fn: (...args: unknown[]) => unknown) => void): void {
  register(READ, (base, prefix, ...rest) => {
    const options = rest.pop() as Handlebars.HelperOptions;
    // A bare path inside `#each`/`#with` reads the current item; say so in the message.
    const label = prefix === '' && base !== options.data?.root ? 'this.' : (prefix as string);
    return readPath(base, rest as string[], label);
  });
  register(READ_OPTIONAL, (base, prefix, ...rest) => {
    rest.pop();
    try {
      return readPath(base, rest as string[], prefix as string);
    } catch {
      return undefined;
    }
  });
  register(READ_DATA, (depth, prefix, ...rest) => {
    const options = rest.pop() as Handlebars.HelperOptions;
    // `@../index`: each block's data frame points at the enclosing one through `_parent`.
    let data = options.data as { _parent?: unknown } | undefined;
    for (let i = 0; i < (depth as number) && data; i++) data = data._parent as typeof data;
    return readPath(data, rest as string[], prefix as string);
  });
  register(TEXT, (value) => formatText(value));
  register(SHELL, (value, kind, delimiter, literal, stripTabs) => {
    if (kind === 'heredoc') return formatShellAt(value, { kind, delimiter: delimiter as string, literal: literal === true, stripTabs: stripTabs === true });
    return formatShellAt(value, { kind: kind as 'word' | 'double' | 'single' });
  });
  register(CAPTURE, (value, options) => {
    (options as Handlebars.HelperOptions).data[CAPTURE_KEY].value = value;
    return '';
  });
}

// A plugin helper's failure names the helper; its arguments stay out of the message (secrets).
function guardHelper(name: string, fn: HelperFn): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    try {
      return fn.apply(this, args);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new WeftError('TEMPLATE_ERROR', `helper ${name} failed: ${message}`, { cause });
    }
  };
}

/**
 * Compile without rendering, for validation: the data paths the template reads from the root
 * scope (block params and paths relative to an `#each` item aside), or the first problem.
 * @example
 * analyzeTemplate(engine, 'echo {{tasks.scan.output.stdout}} {{json (len item.files)}}')
 * // { paths: ['tasks.scan.output.stdout', 'item.files'] }
 */
export function analyzeTemplate(
  engine: TemplateEngine,
  source: string,
): { error?: { code: 'TEMPLATE_SYNTAX' | 'UNKNOWN_HELPER'; message: string }; paths: string[] } {
  if (!isTemplate(source)) return { paths: [] };
  try {
    const { program, paths } = rewriteTemplate(parseTemplate(engine.hb, source), engine.context, 'text');
    // Generating the code surfaces the compiler's own checks without rendering anything.
    engine.hb.precompile(program, engine.compileOptions);
    return { paths };
  } catch (error) {
    const code = isWeftError(error) && error.code === 'UNKNOWN_HELPER' ? 'UNKNOWN_HELPER' : 'TEMPLATE_SYNTAX';
    return { error: { code, message: error instanceof Error ? error.message : String(error) }, paths: [] };
  }
}

/**
 * For validation: the problem of a shell command's quoting (a placeholder inside backticks or
 * `${…}`, a block that leaves quotes open), which only shows when it is compiled for the shell.
 * `source` has its comments escaped already. Undefined when there is none.
 * @example checkShellTemplate(engine, 'echo `{{x}}`') // 'a placeholder cannot go inside backticks …'
 */
export function checkShellTemplate(engine: TemplateEngine, source: string): string | undefined {
  if (!isTemplate(source)) return undefined;
  const plain = parsePlain(source, engine.context.helpers);
  if (plain && shellProblem(engine, () => plain) === undefined) return undefined;
  // The plain reader keeps no positions: Handlebars' parse places the problem.
  return shellProblem(engine, () => parseTemplate(engine.hb, source));
}

function shellProblem(engine: TemplateEngine, parse: () => hbs.AST.Program): string | undefined {
  try {
    rewriteTemplate(parse(), engine.context, 'shell');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Render one string. A string that is exactly one `{{expr}}` yields the value itself (array,
 * number, object, boolean, null); anything else yields a string. In shell mode it is always a string.
 * @example
 * renderString(engine, '{{tasks.scan.output.json}}', scope)          // [ … ] (the array itself)
 * renderString(engine, 'echo {{inputs.name}}', scope, { shell: true }) // "echo 'x; touch pwned'"
 */
export function renderString(
  engine: TemplateEngine,
  source: string,
  scope: Record<string, unknown>,
  options: RenderOptions = {},
): unknown {
  // The scheduler renders every field of every forEach instance: plain strings never reach Handlebars.
  if (!isTemplate(source)) return source;
  return renderTemplate(engine, source, scope, options.shell === true, options.where, NO_KEYS);
}

const NO_KEYS: readonly (string | number)[] = [];

function renderTemplate(
  engine: TemplateEngine,
  source: string,
  scope: Record<string, unknown>,
  shell: boolean,
  where: string | undefined,
  keys: readonly (string | number)[],
): unknown {
  const compiled = compileCached(engine, source, shell);
  try {
    if (compiled.kind === 'direct') return compiled.run(scope);
    if (compiled.kind === 'error') throw new WeftError(compiled.code, compiled.message);
    if (compiled.kind === 'value') {
      const box = { value: undefined as unknown };
      compiled.run(scope, { data: { [CAPTURE_KEY]: box } });
      return box.value;
    }
    return compiled.run(scope, shell ? { partials: engine.shellPartials } : undefined);
  } catch (error) {
    // The location string is only built when something failed.
    const at = keys.length === 0 ? where : [...(where ? [where] : []), ...keys].join('.');
    throw locate(error, at);
  }
}

/**
 * Render every string inside `value` (objects and arrays recursively; keys are left as they are).
 * An error's location is `where` plus the key path, so it names the exact field.
 * @example renderValue(engine, { args: ['{{item.file}}'] }, scope, { where: 'tasks.lint.with' })
 */
export function renderValue(
  engine: TemplateEngine,
  value: unknown,
  scope: Record<string, unknown>,
  options: RenderOptions = {},
): unknown {
  return renderDeep(engine, value, scope, options.shell === true, options.where, []);
}

function renderDeep(
  engine: TemplateEngine,
  value: unknown,
  scope: Record<string, unknown>,
  shell: boolean,
  where: string | undefined,
  keys: (string | number)[],
): unknown {
  if (typeof value === 'string') {
    return isTemplate(value) ? renderTemplate(engine, value, scope, shell, where, keys) : value;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      keys.push(i);
      const rendered = renderDeep(engine, item, scope, shell, where, keys);
      keys.pop();
      return rendered;
    });
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    for (const entry of entries) {
      keys.push(entry[0]);
      entry[1] = renderDeep(engine, entry[1], scope, shell, where, keys);
      keys.pop();
    }
    // fromEntries defines keys as data, so even a key named __proto__ stays a plain key.
    return Object.fromEntries(entries);
  }
  return value;
}


function compileCached(engine: TemplateEngine, source: string, shell: boolean): Compiled {
  const cache = shell ? engine.cache.shell : engine.cache.text;
  let compiled = cache.get(source);
  if (compiled) return compiled;
  compiled = compile(engine, source, shell);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(source, compiled);
  return compiled;
}

function compile(engine: TemplateEngine, source: string, shell: boolean): Compiled {
  try {
    // A shell command's comments are text, not templates: their {{ are escaped before parsing.
    const text = shell ? escapeShellComments(source) : source;
    // Text and plain paths compile without Handlebars (not even loaded); the rest is parsed by it.
    const plain = parsePlain(text, engine.context.helpers);
    let ast = plain ?? parseTemplate(engine.hb, text);
    const kind = !shell && findWholeValue(ast) ? 'value' : 'text';
    const mode = shell ? 'shell' : kind;
    const direct = compileDirect(ast, engine.context.helpers, mode);
    if (direct) return { kind: 'direct', run: direct };
    if (plain) ast = parseTemplate(engine.hb, text);
    const { program } = rewriteTemplate(ast, engine.context, mode);
    return { kind, run: engine.hb.compile(program, engine.compileOptions) };
  } catch (error) {
    const e = error as Partial<WeftError>;
    return { kind: 'error', code: e.code ?? 'TEMPLATE_SYNTAX', message: e.message ?? String(error) };
  }
}

// Compile problems keep their code; anything thrown while rendering is a TEMPLATE_ERROR.
function locate(error: unknown, where: string | undefined): WeftError {
  const message = error instanceof Error ? error.message : String(error);
  const kept = isWeftError(error) && (error.code === 'TEMPLATE_SYNTAX' || error.code === 'UNKNOWN_HELPER');
  const code: WeftErrorCode = kept ? (error as WeftError).code : 'TEMPLATE_ERROR';
  return new WeftError(code, where ? `${where}: ${message}` : message, { cause: error });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
