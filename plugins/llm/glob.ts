// Node 20 has no fs.glob, and context files need only `*`, `**`, `?` and `{a,b}` under one root,
// so a small walker beats a dependency. It never follows a symlink out of the root.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../../engine/plugin.js';

// Folders no one means to send to a model, skipped unless a pattern names them literally.
const skipped = new Set(['.git', 'node_modules', '.weft']);

/**
 * Files under `root` matching a glob, as sorted posix paths relative to root.
 * Refuses absolute patterns and `..` segments: context never leaves the project.
 * @example await findFiles('/project', 'src/**\/*.ts') // ['src/a.ts', 'src/lib/b.ts']
 */
export async function findFiles(root: string, pattern: string, maxFiles = 2000): Promise<string[]> {
  const clean = pattern.replaceAll('\\', '/');
  if (path.isAbsolute(pattern) || clean.startsWith('/') || clean.split('/').includes('..')) {
    throw new WeftError('PIPELINE_INVALID', `context files "${pattern}" must be a path under the project root, without ..`);
  }
  const segments = clean.split('/').filter((s) => s !== '' && s !== '.');
  const literal: string[] = [];
  while (segments.length > 1 && !/[*?{[]/.test(segments[0]!)) literal.push(segments.shift()!);
  const matcher = globToRegExp(segments.join('/'));
  // Without `**` a match is never deeper than the pattern, so the walk need not go further.
  const maxDepth = segments.some((s) => s.includes('**')) ? Infinity : segments.length;
  const realRoot = await realpath(root);
  const found: string[] = [];

  async function walk(dir: string, rel: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // a missing prefix folder simply matches nothing
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name) && depth < maxDepth) await walk(full, relPath, depth + 1);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && matcher.test(relPath)) {
        if (entry.isSymbolicLink() && !(await insideRoot(full, realRoot))) continue;
        if (entry.isSymbolicLink() && !(await isFile(full))) continue;
        found.push([...literal, relPath].join('/'));
        if (found.length > maxFiles) {
          throw new WeftError('CONTEXT_TOO_LARGE', `context files "${pattern}" match more than ${maxFiles} files`);
        }
      }
    }
  }
  const start = path.join(root, ...literal);
  if (!(await insideRoot(start, realRoot, true))) {
    throw new WeftError('PIPELINE_INVALID', `context files "${pattern}" resolve outside the project root`);
  }
  await walk(start, '', 1);
  return found.sort();
}

/** A glob as an anchored RegExp over posix paths: `**` spans folders, `*` and `?` do not. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

async function insideRoot(file: string, realRoot: string, missingIsInside = false): Promise<boolean> {
  try {
    const real = await realpath(file);
    return real === realRoot || real.startsWith(realRoot + path.sep);
  } catch {
    return missingIsInside;
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}
