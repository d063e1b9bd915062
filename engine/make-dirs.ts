import { lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from './errors.js';

/**
 * The nearest path at or above `dir` that exists: a caller that confines writes checks its real
 * location before anything is created under it.
 * @example await nearestExisting('/p/out/new/deeper') // '/p/out'
 */
export async function nearestExisting(dir: string): Promise<string> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      await lstat(at);
      return at;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) throw error;
    }
  }
}

/**
 * `mkdir -p`, one level at a time, so a level that cannot be made fails at once:
 * `mkdir(dir, { recursive: true })` on `/proc/nope/x` never returned.
 * @example await makeDirs('/p/out/new/deeper')
 */
export async function makeDirs(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const base = await nearestExisting(target);
  if (!(await stat(base)).isDirectory()) throw new WeftError('TASK_FAILED', `cannot create ${target}: ${base} is not a folder`);
  let at = base;
  for (const part of path.relative(base, target).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    try {
      await mkdir(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
