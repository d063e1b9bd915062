import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { WeftError, makeDirs, nearestExisting, writeFileAtomic } from '../../engine/plugin.js';

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
 * symlinks resolved, that its folder is inside `root`: first the part that exists, before any
 * folder is created (a symlinked folder must not get folders made outside), then the whole.
 * @example const bytes = await writeAtomic('/p', '/p/out/report.md', '# Report\n')
 */
export async function writeAtomic(root: string, target: string, text: string): Promise<number> {
  const dir = path.dirname(target);
  const realRoot = await realpath(root);
  await checkInsideReal(realRoot, await nearestExisting(dir), target);
  await makeDirs(dir);
  await checkInsideReal(realRoot, dir, target);
  await writeFileAtomic(target, text);
  return Buffer.byteLength(text);
}

/**
 * `file` resolved like `to:`, and with symlinks resolved still inside `root`: a template may
 * be read from the project only, as files are written only into it.
 * @example await resolveReadable('/p', 'templates/a.hbs') // '/p/templates/a.hbs'
 */
export async function resolveReadable(root: string, file: string): Promise<string> {
  const target = path.resolve(root, file);
  if (!isInside(path.resolve(root), target)) throw new WeftError('TASK_FAILED', `refusing to read ${file}: it is outside the project root`);
  const real = await realpath(target);
  if (!isInside(await realpath(root), real)) throw new WeftError('TASK_FAILED', `refusing to read ${file}: it links outside the project root`);
  return real;
}

async function checkInsideReal(realRoot: string, dir: string, target: string): Promise<void> {
  const realDir = await realpath(dir);
  if (realDir !== realRoot && !isInside(realRoot, realDir)) {
    throw new WeftError('TASK_FAILED', `refusing to write ${target}: its folder links outside the project root`);
  }
}
