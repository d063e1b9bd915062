// Content hashes of a project's source files, kept between runs with the stat they were taken
// at (size, inode, modification and change times in ns): a file whose stat is unchanged is not
// read again. Reading the 10,000 sources of bench uptodate was most of an all-up-to-date run.
import type { Store } from './store.js';

/** A file's hash and the stat signature it was taken at. */
export type KnownHash = { sig: string; hash: string };

/**
 * The hash kept for one file (a path relative to the root), if any. Asked per file: loading the
 * whole table into a map cost ~0.4 s for 11,000 files, more than the look-ups it saved.
 * @example readFileHash(store, 'src/a.c')?.hash
 */
export function readFileHash(store: Store, file: string): KnownHash | undefined {
  return store.statement('SELECT sig, hash FROM file_hashes WHERE path = ?').get(file) as KnownHash | undefined;
}

/**
 * Keep hashes for the next run, in one transaction.
 * @example writeFileHashes(store, [['src/a.c', { sig, hash }]])
 */
export function writeFileHashes(store: Store, entries: ReadonlyArray<[string, KnownHash]>): void {
  if (entries.length === 0) return;
  const insert = store.statement('INSERT OR REPLACE INTO file_hashes (path, sig, hash) VALUES (?, ?, ?)');
  store.db.transaction(() => {
    for (const [file, known] of entries) insert.run(file, known.sig, known.hash);
  }).immediate();
}
