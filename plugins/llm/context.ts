// Context slicing: labelled blocks placed before the prompt, from rendered values or files,
// held under `contextMaxTokens` (an error, or a proportional cut when `truncate: true`).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../../engine/plugin.js';
import { findFiles } from './glob.js';
import type { ContextEntry } from './schema.js';

export type ContextBlock = { label: string; body: string };

/** Counts the tokens of a text: the count-tokens endpoint when reachable, else an estimate. */
export type TokenCounter = (text: string) => Promise<number>;

const truncatedMark = '\n[... truncated by weft to fit contextMaxTokens]';

/**
 * The rough token count used where the API is not asked: about four characters per token.
 * @example estimateTokens('abcdefgh') // 2
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Each entry as a labelled block: strings as they are, other values as JSON, files as
 * `<file path="...">` sections read from under `root`.
 * @example await readContext([{ label: 'scan', value: 'a.ts\nb.ts' }], '/project')
 */
export async function readContext(entries: ContextEntry[] | undefined, root: string): Promise<ContextBlock[]> {
  const blocks: ContextBlock[] = [];
  for (const entry of entries ?? []) {
    if ('files' in entry) {
      const patterns = Array.isArray(entry.files) ? entry.files : [entry.files];
      const files = [...new Set((await Promise.all(patterns.map((p) => findFiles(root, p)))).flat())].sort();
      const sections = await Promise.all(
        files.map(async (file) => `<file path="${file}">\n${await readFile(path.join(root, file), 'utf8')}\n</file>`),
      );
      blocks.push({ label: entry.label, body: sections.length ? sections.join('\n') : `(no files match ${patterns.join(', ')})` });
    } else {
      const value = entry.value;
      blocks.push({ label: entry.label, body: typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? 'null' });
    }
  }
  return blocks;
}

/** The user message: context blocks first, then the prompt. */
export function composeUserText(blocks: ContextBlock[], prompt: string): string {
  if (blocks.length === 0) return prompt;
  const context = blocks.map((b) => `<context label="${b.label}">\n${b.body}\n</context>`).join('\n\n');
  return `${context}\n\n${prompt}`;
}

/**
 * The blocks, held under `limit` tokens: CONTEXT_TOO_LARGE when over it, unless `truncate`,
 * which cuts every block by the same proportion (each keeps its head).
 * @example await fitContext(blocks, 8000, true, async (t) => estimateTokens(t))
 */
export async function fitContext(blocks: ContextBlock[], limit: number | undefined, truncate: boolean, count: TokenCounter): Promise<ContextBlock[]> {
  if (limit === undefined || blocks.length === 0) return blocks;
  const tokens = await count(composeUserText(blocks, ''));
  if (tokens <= limit) return blocks;
  if (!truncate) {
    throw new WeftError('CONTEXT_TOO_LARGE', `context is ${tokens} tokens, over contextMaxTokens ${limit}; narrow it or set truncate: true`);
  }
  // A margin below the exact ratio: the labels and the cut marks cost tokens too.
  const ratio = (limit / tokens) * 0.9;
  return blocks.map((b) => ({ label: b.label, body: b.body.slice(0, Math.floor(b.body.length * ratio)) + truncatedMark }));
}
