import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../../engine/plugin.js';
import { writeFileAtomic } from '../../engine/plugin.js';

/**
 * The absolute path for `to`, refusing anything outside `root` (`../`, absolute paths elsewhere).
 * @example resolveInside('/p', 'out/a.md') // '/p/out/a.md'
 */
export function resolveInside(root: string, to: string): string {
  const target = path.resolve(root, to);
  if (!isInside(path.resolve(root), target)) {
    throw new WeftError('TASK_FAILED', `refusing to write ${to}: it is outside the project root`);
  }
  return target;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

/**
 * Write `text` to `target` atomically (engine/write-file-atomic.ts), after checking, with
 * symlinks resolved, that its folder is still inside `root`.
 * @example const bytes = await writeAtomic('/p', '/p/out/report.md', '# Report\n')
 */
export async function writeAtomic(root: string, target: string, text: string): Promise<number> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  const realRoot = await realpath(root);
  if (realDir !== realRoot && !isInside(realRoot, realDir)) {
    throw new WeftError('TASK_FAILED', `refusing to write ${target}: its folder links outside the project root`);
  }
  await writeFileAtomic(target, text);
  return Buffer.byteLength(text);
}
