/** Characters of one block of text in the page; a huge output should not make a huge page. */
export const MAX_BLOCK_CHARS = 20_000;

export type TextBlock = { label: string; text: string };

/**
 * A task's output as blocks of preformatted text: a string is shown as it is, each string field
 * of an object (a shell task's stdout and stderr) as its own block with its real line breaks,
 * and whatever is left as indented JSON.
 * @example outputBlocks({ exitCode: 0, stdout: 'a\nb\n' }) // [{ label: 'output.stdout', text: 'a\nb\n' }, { label: 'output', text: '{\n  "exitCode": 0\n}' }]
 */
export function outputBlocks(output: unknown): TextBlock[] {
  if (output === undefined) return [];
  if (typeof output === 'string') return [{ label: 'output', text: capStart(output) }];
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return [{ label: 'output', text: capStart(json(output)) }];
  const blocks: TextBlock[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output)) {
    if (typeof value === 'string' && value !== '') blocks.push({ label: `output.${key}`, text: capStart(value) });
    else if (typeof value !== 'string') rest[key] = value;
  }
  if (Object.keys(rest).length) blocks.push({ label: 'output', text: capStart(json(rest)) });
  return blocks;
}

/** The start of a long text, and how much was left out. */
export function capStart(text: string): string {
  return text.length > MAX_BLOCK_CHARS ? `${text.slice(0, MAX_BLOCK_CHARS)}\n… ${text.length - MAX_BLOCK_CHARS} more characters` : text;
}

/** The end of a long log: the last lines are the ones that say what went wrong. */
export function capEnd(text: string): string {
  return text.length > MAX_BLOCK_CHARS ? `… ${text.length - MAX_BLOCK_CHARS} earlier characters\n${text.slice(-MAX_BLOCK_CHARS)}` : text;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}
