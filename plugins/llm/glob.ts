// Context files by glob, with tinyglobby (the project's one glob library). What weft adds: the
// pattern and every symlink stay under the project root, tool folders are skipped, and the count
// is capped.
import { realpath as fsRealpath } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { FileSystemAdapter } from 'tinyglobby';
import { WeftError } from '../../engine/plugin.js';

// Folders no one means to send to a model, skipped unless the pattern's fixed leading folders
// name them (`node_modules/pkg/*.d.ts`).
const skipped = ['**/.git/**', '**/node_modules/**', '**/.weft/**'];

/**
 * Files under `root` matching a glob, as sorted posix paths relative to root.
 * Refuses absolute patterns and `..` segments: context never leaves the project.
 * CONTEXT_TOO_LARGE when more than `maxFiles` match.
 * @example await findFiles('/project', 'src/**\/*.ts') // ['src/a.ts', 'src/lib/b.ts']
 */
export async function findFiles(root: string, pattern: string, maxFiles = 2000): Promise<string[]> {
  // Loaded here, not at import: `weft validate` and shell-only runs load this module, not globs.
  const { glob, isDynamicPattern } = await import('tinyglobby');
  const clean = pattern.replaceAll('\\', '/');
  if (path.isAbsolute(pattern) || clean.startsWith('/') || clean.split('/').includes('..')) {
    throw new WeftError('PIPELINE_INVALID', `context files "${pattern}" must be a path under the project root, without ..`);
  }
  const segments = clean.split('/').filter((s) => s !== '' && s !== '.');
  const literal: string[] = [];
  while (segments.length > 1 && !isDynamicPattern(segments[0]!)) literal.push(segments.shift()!);
  const realRoot = await realpath(root);
  const start = path.join(root, ...literal);
  if (!(await insideRoot(start, realRoot))) {
    throw new WeftError('PIPELINE_INVALID', `context files "${pattern}" resolve outside the project root`);
  }
  const found = await glob(segments.join('/'), {
    cwd: start,
    dot: true,
    onlyFiles: true,
    // `src` names a folder's path, not everything in it.
    expandDirectories: false,
    ignore: skipped,
    fs: { realpath: confinedRealpath(realRoot) },
  });
  if (found.length > maxFiles) {
    throw new WeftError('CONTEXT_TOO_LARGE', `context files "${pattern}" match more than ${maxFiles} files`);
  }
  return found.map((file) => [...literal, file].join('/')).sort();
}

/**
 * The crawler resolves each symlink through this: a link whose target lies outside the root is
 * an error, which the crawler skips, so it is neither listed nor walked into.
 */
function confinedRealpath(realRoot: string): NonNullable<FileSystemAdapter['realpath']> {
  const confined = (file: string, done: (error: NodeJS.ErrnoException | null, resolved?: string) => void): void => {
    fsRealpath(file, (error, resolved) => {
      if (error) done(error);
      else if (isUnder(resolved, realRoot)) done(null, resolved);
      else done(Object.assign(new Error(`${file} leaves the project root`), { code: 'EACCES' }));
    });
  };
  // fs.realpath's type carries overloads and `.native`; the crawler calls only (path, callback).
  return confined as unknown as NonNullable<FileSystemAdapter['realpath']>;
}

/** Whether `file` resolves inside the root; a folder that does not exist yet simply matches nothing. */
async function insideRoot(file: string, realRoot: string): Promise<boolean> {
  return realpath(file).then((real) => isUnder(real, realRoot), () => true);
}

function isUnder(real: string, realRoot: string): boolean {
  return real === realRoot || real.startsWith(realRoot + path.sep);
}
