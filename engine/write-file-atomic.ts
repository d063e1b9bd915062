import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Write `text` to `file` so a reader sees the old file or the new one, never half of one: a temp
 * file in the same folder (rename is atomic only within a filesystem), then rename. Creates the
 * folder.
 * @example await writeFileAtomic('.weft/runs/2026-11-28T07-00-00-abc123.json', json)
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
