// Content hashes of a project's source files, kept between runs with the stat they were taken
// at (size, inode, modification and change times in ns): a file whose stat is unchanged is not
// read again. Reading the 10,000 sources of bench uptodate was most of an all-up-to-date run.
import type { Store } from './store.js';

/** A file's hash and the stat signature it was taken at. */
export type KnownHash = { sig: string; hash: string };

/**
 * Every hash kept for the project, by path relative to the root.
 * @example readFileHashes(store).get('src/a.c')?.hash
 */
export function readFileHashes(store: Store): Map<string, KnownHash> {
  const rows = store.statement('SELECT path, sig, hash FROM file_hashes').all() as Array<{ path: string; sig: string; hash: string }>;
  return new Map(rows.map((r) => [r.path, { sig: r.sig, hash: r.hash }]));
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
