import { randomBytes } from 'node:crypto';
import { lstat, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from './errors.js';
import { makeDirs } from './make-dirs.js';

/**
 * Write `text` to `file` so a reader sees the old file or the new one, never half of one: a temp
 * file in the same folder (rename is atomic only within a filesystem), then rename. Creates the
 * folder. Refuses a `file` that exists and is not a regular file: renaming over a symlink, a FIFO
 * or a device (`--report /dev/full` as root) would replace it, not write to it.
 * @example await writeFileAtomic('.weft/runs/2026-11-28T07-00-00-abc123.json', json)
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await makeDirs(dir);
  await refuseSpecial(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function refuseSpecial(file: string): Promise<void> {
  let kind: string;
  try {
    const info = await lstat(file);
    if (info.isFile()) return;
    kind = info.isSymbolicLink() ? 'a symbolic link' : info.isDirectory() ? 'a folder' : 'not a regular file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  throw new WeftError('TASK_FAILED', `refusing to write ${file}: it is ${kind}`);
}
