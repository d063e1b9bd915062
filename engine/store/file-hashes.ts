// Content hashes of a project's source files, kept between runs with the stat they were taken
// at (size, inode, modification and change times in ns): a file whose stat is unchanged is not
// read again. Reading the 10,000 sources of bench uptodate was most of an all-up-to-date run.
import type { Store } from './store.js';

/** A file's hash and the stat signature it was taken at. */
export type KnownHash = { sig: string; hash: string };

/**
 * The hashes kept for these files (paths relative to the root), in one query: a task's sources
 * are asked for together. 11,000 files one query each took 122-139 ms here; in queries of 10,
 * 36-55 ms. Loading the whole table would cost as much for a run that checks one task.
 * @example readFileHashes(store, ['src/a.c', 'src/b.c']).get('src/a.c')?.hash
 */
export function readFileHashes(store: Store, files: readonly string[]): Map<string, KnownHash> {
  if (files.length === 1) {
    const one = store.statement('SELECT sig, hash FROM file_hashes WHERE path = ?').get(files[0]) as KnownHash | undefined;
    return one ? new Map([[files[0]!, one]]) : new Map();
  }
  const rows = store
    .statement('SELECT path, sig, hash FROM file_hashes WHERE path IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(files)) as Array<KnownHash & { path: string }>;
  return new Map(rows.map(({ path, sig, hash }) => [path, { sig, hash }]));
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
