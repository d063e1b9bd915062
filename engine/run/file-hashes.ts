// Content hashes of the files tasks declare as `sources` and `generates`, for up-to-date checks.
// One hasher per run: a file read by many tasks is hashed once, not once per task. A hash is kept
// with the file's stat (size, inode, change and modification times in ns), so a file a task
// rewrites during the run is hashed again, and a file nobody touched is read once. Globs and
// stats are kept until a task succeeds (forgetGlobs): until then no task of the run wrote
// anything, and a shared header read by 1,000 tasks is stat'ed once, not 1,000 times.
// Hashes from earlier runs (the store's file_hashes) are reused for files whose stat matches, and
// new ones are handed back to be kept, except for files changed in the last RACY_MS: a write in
// the same clock tick as the hash could leave the stat unchanged (git's "racy" files).
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KnownHash } from '../store/file-hashes.js';

/** Files above this size are streamed through the hash instead of read whole. */
const STREAM_ABOVE_BYTES = 1024 * 1024;
/** Files read at once: a 10,000-file tree must not run out of file descriptors. */
const OPEN_AT_ONCE = 64;
/** A hash taken this soon after the file's last change is not kept for later runs. */
const RACY_MS = 2000n;

export interface FileHasher {
  /**
   * The files matching `patterns` (relative to the root, sorted) with the sha256 of each.
   * @example await hasher.hashGlobs(['src/**\/*.c']) // [['src/a.c', '9f86…'], …]
   */
  hashGlobs(patterns: readonly string[]): Promise<Array<[string, string]>>;
  /** The sha256 of one file (relative to the root), or undefined when it does not exist. */
  hashFile(relative: string): Promise<string | undefined>;
  /** Tasks may have written files since: glob and stat again next time (hashes stay, keyed by stat). */
  forgetGlobs(): void;
  /** Hashes computed this run that are safe to keep for the next (relative path, stat, hash). */
  learned(): Promise<Array<[string, KnownHash]>>;
}

/**
 * A hasher for the project at `root`.
 * @example const hasher = createFileHasher(pipeline.root)
 */
export function createFileHasher(root: string, known: (relatives: readonly string[]) => Map<string, KnownHash> = () => new Map()): FileHasher {
  const globs = new Map<string, Promise<string[]>>();
  // What earlier runs kept, asked once per file and run, a glob's files together.
  const kept = new Map<string, KnownHash | null>();
  const fresh: Array<Promise<[string, KnownHash] | undefined>> = [];
  const hashes = new Map<string, { sig: string; hash: Promise<string> }>();
  // Each file's hash as of now: dropped whenever a task may have written files.
  const current = new Map<string, Promise<string | undefined>>();
  const limit = createLimit(OPEN_AT_ONCE);

  function globOne(pattern: string, ignore: string[]): Promise<string[]> {
    const key = JSON.stringify([pattern, ignore]);
    let files = globs.get(key);
    if (!files) {
      // Loaded at the first glob: a run without sources or generates never loads it.
      files = import('tinyglobby').then(({ glob }) => glob(pattern, { cwd: root, onlyFiles: true, dot: true, ignore }));
      globs.set(key, files);
    }
    return files;
  }

  function hashFile(relative: string): Promise<string | undefined> {
    const file = path.resolve(root, relative);
    let hash = current.get(file);
    if (!hash) {
      hash = hashNow(file);
      current.set(file, hash);
    }
    return hash;
  }

  async function hashNow(file: string): Promise<string | undefined> {
    let info;
    try {
      // Sync: a stat is microseconds, and 11,000 promise round trips to the thread pool cost
      // ~0.5 s of an all-up-to-date run of bench uptodate.
      info = statSync(file, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    if (!info.isFile()) return undefined;
    const sig = `${info.size}:${info.ino}:${info.mtimeNs}:${info.ctimeNs}`;
    const seen = hashes.get(file);
    if (seen?.sig === sig) return seen.hash;
    const relative = path.relative(root, file);
    if (!kept.has(relative)) lookUp([relative]);
    const before = kept.get(relative);
    if (before?.sig === sig) return before.hash;
    const hash = limit(() => (info.size > STREAM_ABOVE_BYTES ? streamHash(file) : readFile(file).then(sha256)));
    hashes.set(file, { sig, hash });
    const changedAt = info.ctimeNs > info.mtimeNs ? info.ctimeNs : info.mtimeNs;
    if (BigInt(Date.now()) * 1_000_000n - changedAt > RACY_MS * 1_000_000n) {
      fresh.push(hash.then((h): [string, KnownHash] => [relative, { sig, hash: h }], () => undefined));
    }
    return hash;
  }

  function lookUp(relatives: readonly string[]): void {
    const missing = relatives.filter((r) => !kept.has(r));
    if (missing.length === 0) return;
    const found = known(missing);
    for (const r of missing) kept.set(r, found.get(r) ?? null);
  }

  return {
    async hashGlobs(patterns) {
      // One glob per pattern, not one for the list: tinyglobby crawls from the patterns' common
      // folder, so ["src/m1/*.c", "include/*.h"] would walk the whole project for every task.
      const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
      const lists = await Promise.all(patterns.filter((p) => !p.startsWith('!')).map((p) => globOne(p, ignore)));
      const list = [...new Set(lists.flat())].sort();
      const unhashed = list.map((f) => path.resolve(root, f)).filter((file) => !current.has(file));
      lookUp(unhashed.map((file) => path.relative(root, file)));
      const out: Array<[string, string]> = [];
      const hashed = await Promise.all(list.map((f) => hashFile(f)));
      list.forEach((f, i) => hashed[i] !== undefined && out.push([f, hashed[i]!]));
      return out;
    },
    hashFile,
    forgetGlobs() {
      globs.clear();
      current.clear();
    },
    async learned() {
      return (await Promise.all(fresh)).filter((e): e is [string, KnownHash] => e !== undefined);
    },
  };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function streamHash(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** At most `n` of the given functions running at once. */
function createLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    active -= 1;
    queue.shift()?.();
  };
  return (fn) =>
    new Promise((resolve, reject) => {
      const run = (): void => {
        active += 1;
        fn().then(resolve, reject).finally(next);
      };
      if (active < n) run();
      else queue.push(run);
    });
}
