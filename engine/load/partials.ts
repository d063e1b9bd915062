// Shared Handlebars partials: every file under the project's partials folder, by name, for the
// one template engine (prompts, `with` strings) and for template files rendered in workers.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../errors.js';
import type { Problem, WeftConfig } from '../types.js';

/** A partial's name as `{{> name}}` writes it: its path under the folder, `/`-separated, minus the last extension. */
export function partialName(relativeFile: string): string {
  const posix = relativeFile.split(path.sep).join('/');
  const ext = path.posix.extname(posix);
  return ext ? posix.slice(0, -ext.length) : posix;
}

/** Files under `dir` as sorted relative paths; dotfiles and dot-folders are editor droppings, never partials. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((rel) => !rel.split(path.sep).some((part) => part.startsWith('.')))
    .sort((a, b) => a.localeCompare(b));
}

/**
 * Read the partials folder (config `partialsDir`, default `partials`) into name -> source.
 * A missing folder is no partials. Two files with one name (`header.hbs` and `header.md`) are
 * a CONFIG_INVALID error naming both: which one `{{> header}}` meant is never guessed.
 * @example
 * // partials/footer.hbs, partials/review/rubric.md
 * await loadPartials(config) // { footer: '…', 'review/rubric': '…' }
 */
export async function loadPartials(config: Pick<WeftConfig, 'root' | 'partialsDir'>): Promise<Record<string, string>> {
  const dir = path.resolve(config.root, config.partialsDir || 'partials');
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new WeftError('CONFIG_INVALID', `cannot read partials folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const partials: Record<string, string> = {};
  const fileOf = new Map<string, string>();
  const problems: Problem[] = [];
  for (const rel of files) {
    const name = partialName(rel);
    const taken = fileOf.get(name);
    const file = path.join(dir, rel);
    if (taken) {
      problems.push({
        file,
        line: 1,
        col: 1,
        code: 'CONFIG_INVALID',
        message: `partial "${name}" is defined twice: ${path.relative(config.root, taken)} and ${path.relative(config.root, file)}`,
      });
      continue;
    }
    fileOf.set(name, file);
    partials[name] = await readFile(file, 'utf8');
  }
  if (problems.length) throw new WeftError('CONFIG_INVALID', problems.map((p) => p.message).join('; '), { problems });
  return partials;
}
