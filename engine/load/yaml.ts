// YAML with positions, hardened against hostile input. Problems are returned as data.
import type { CST, Document, Node } from 'yaml';
import type { WeftErrorCode } from '../errors.js';
import type { Problem } from '../types.js';
import { yaml } from './yaml-library.js';

const { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq } = yaml;

/** One step of a path into a document: a map key or a sequence index. */
export type PathSegment = string | number;

export type LineCol = { line: number; col: number };

/** A parsed YAML file: its JS value (absent when the file cannot be trusted) and where each node sits. */
export type ParsedYaml = {
  file: string;
  value?: unknown;
  problems: Problem[];
  /**
   * Where the node at `path` starts; the nearest existing ancestor when it is missing.
   * `target: 'key'` points at the key of the last segment instead of its value.
   */
  positionOf(path: readonly PathSegment[], target?: 'key' | 'value'): LineCol;
  /** Positions of every key of the map at `path`, in one pass (for thousands of tasks). */
  keyPositions(path: readonly PathSegment[]): Map<string, LineCol>;
};

/** Deeper nesting than any pipeline needs; beyond it the composer recurses towards a stack overflow. */
export const MAX_DEPTH = 64;
/** Aliases one document may expand; a billion-laughs file needs thousands. */
export const MAX_ALIAS_COUNT = 50;
/** Keys that would reach Object.prototype through naive merges downstream. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const parseOptions = {
  schema: 'core',
  merge: false,
  // Duplicates are found by our own walk with a Set per map: yaml's uniqueKeys compares every
  // pair, 0.8 s of a 10,000-task file's 2 s parse here.
  uniqueKeys: false,
  stringKeys: true,
  prettyErrors: false,
  maxAliasCount: MAX_ALIAS_COUNT,
} as const;

/**
 * Parse YAML text into a value with a position lookup. Never throws for bad input: syntax
 * errors, forbidden keys, duplicates, alias bombs and absurd nesting come back as problems.
 * @example
 * const parsed = parseYaml('tasks:\n  a: { run: echo hi }\n', 'p.yaml');
 * parsed.positionOf(['tasks', 'a', 'run']); // { line: 2, col: 9 }
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const at = (offset: number): LineCol => lineCounter.linePos(offset);
  const problem = (code: WeftErrorCode, offset: number, message: string): Problem => ({ file, ...at(offset), code, message });
  const unusable = (problems: Problem[], doc?: Document.Parsed): ParsedYaml => ({
    file,
    problems,
    positionOf: (path, target) => (doc ? locate(doc, path, target, at) : { line: 1, col: 1 }),
    keyPositions: () => new Map(),
  });

  // A run of brackets is the cheap, common attack: refuse it before the parser sees it.
  const run = findBracketRun(text, MAX_DEPTH);
  if (run !== undefined) {
    // The line counter fills in as the parser runs; this check comes first, so count by hand.
    const before = text.slice(0, run);
    const line = before.split('\n').length;
    const col = run - before.lastIndexOf('\n');
    return unusable([{ file, line, col, code: 'YAML_TOO_COMPLEX', message: `nesting deeper than ${MAX_DEPTH} levels` }]);
  }
  // The CST parser is iterative; the composer is recursive. Measure depth in between.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = findDeepToken(tokens, MAX_DEPTH);
  if (deep !== undefined) {
    return unusable([problem('YAML_TOO_COMPLEX', deep, `nesting deeper than ${MAX_DEPTH} levels`)]);
  }
  const docs = Array.from(new Composer(parseOptions).compose(tokens, true, text.length));
  const doc = docs[0] as Document.Parsed;
  const problems: Problem[] = [];
  if (docs.length > 1) {
    problems.push(problem('YAML_SYNTAX', docs[1]!.range[0], 'a pipeline file holds one YAML document; found a second one'));
  }
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push(problem('YAML_SYNTAX', e.pos[0], firstLine(e.message)));
  }
  problems.push(...checkKeys(doc.contents, problem));
  if (problems.length > 0) return unusable(problems, doc);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (billion laughs).
    const offset = firstAliasOffset(doc.contents) ?? 0;
    return unusable([problem('YAML_TOO_COMPLEX', offset, `aliases expand too much: ${firstLine((error as Error).message)}`)], doc);
  }
  return {
    file,
    value,
    problems,
    positionOf: (path, target) => locate(doc, path, target, at),
    keyPositions: (path) => {
      const node = nodeAt(doc, path).node;
      const positions = new Map<string, LineCol>();
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = pair.key as Node | null;
          if (isScalar(key) && key.range) positions.set(String(key.value), at(key.range[0]));
        }
      }
      return positions;
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Offset of the first `[`/`{` in a run of more than `limit` openers (spaces and commas between). */
function findBracketRun(text: string, limit: number): number | undefined {
  let count = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (count === 0) start = i;
      if (++count > limit) return start;
    } else if (c !== 0x20 && c !== 0x2c && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      count = 0;
    }
  }
  return undefined;
}

/** Offset of the first CST collection nested deeper than `limit`, walking with an explicit stack. */
function findDeepToken(tokens: CST.Token[], limit: number): number | undefined {
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > limit) return token.offset;
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Forbidden keys (at the key) and duplicate keys (at the second one), anywhere in the document. */
function checkKeys(root: unknown, problem: (code: WeftErrorCode, offset: number, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const offset = key?.range?.[0] ?? node.range?.[0] ?? 0;
        const name = isScalar(key) ? String(key.value) : undefined;
        if (name !== undefined && FORBIDDEN_KEYS.has(name)) {
          problems.push(problem('YAML_FORBIDDEN_KEY', offset, `key "${name}" is not allowed`));
        } else if (name !== undefined && seen.has(name)) {
          problems.push(problem('DUPLICATE_ID', offset, `duplicate key "${name}"`));
        } else if (name !== undefined) {
          seen.add(name);
        } else if (key !== null && key !== undefined) {
          stack.push(key);
        }
        stack.push(pair.value);
      }
    }
  }
  // The walk is depth-first from the end; report in file order.
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function firstAliasOffset(root: unknown): number | undefined {
  const stack: unknown[] = [root];
  let first: number | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      const offset = node.range?.[0];
      if (offset !== undefined && (first === undefined || offset < first)) first = offset;
    } else if (isSeq(node)) {
      stack.push(...node.items);
    } else if (isMap(node)) {
      for (const pair of node.items) stack.push(pair.key, pair.value);
    }
  }
  return first;
}

/** The deepest existing node along `path`, and the key node of its last step when that was a map key. */
function nodeAt(doc: Document.Parsed, path: readonly PathSegment[]): { node: unknown; key?: Node | undefined; found: boolean } {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return { node, key, found: false };
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      key = undefined;
      node = node.items[segment];
    } else {
      return { node, key, found: false };
    }
  }
  return { node, key, found: true };
}

function locate(doc: Document.Parsed, path: readonly PathSegment[], target: 'key' | 'value' = 'value', at: (offset: number) => LineCol): LineCol {
  const { node, key, found } = nodeAt(doc, path);
  // A missing key points at its would-be parent's key; a key target points at the key itself.
  const anchor = (found && target === 'key') || (!found && key) ? key : undefined;
  const offset = (anchor ?? (node as Node | null))?.range?.[0] ?? key?.range?.[0] ?? doc.contents?.range?.[0] ?? 0;
  return at(offset);
}
