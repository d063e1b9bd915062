import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../../engine/errors.js';

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
 * Write `text` to `target` so readers see the old file or the new one, never half of it:
 * a temp file in the same folder (same filesystem), then rename. Creates parent folders, and
 * checks again after resolving symlinks that the folder is still inside `root`.
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
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return Buffer.byteLength(text);
}
