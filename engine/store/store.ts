// The one durable store of a project: `.weft/weft.db`, a SQLite database (better-sqlite3).
//
// What it holds, and the rule each table keeps:
// - `runs`: one row per run, written when the run starts (pipeline file, name, pipeline and
//   inputs hashes, owner pid) and completed when it ends (status, end time). History and
//   `--resume` find runs here by pipeline file AND name, so two files that share a `name:` never
//   resume each other. A row with no end and a dead owner is a run that was killed.
// - `journal`: one row per task (or forEach instance) end, committed as it happens, so a run
//   killed with SIGKILL still tells `--resume` every task that had finished.
// - `file_hashes`: the content hash of each source file with the stat it was taken at, so an
//   unchanged file is not read again by the next run (file-hashes.ts).
// - `fingerprints`: per pipeline file and task instance, the fingerprint of its last SUCCESSFUL
//   attempt, its output and the hashes of the files it generated, for up-to-date checks. Written
//   in the same transaction as the journal row of a success, after the executor returned; never
//   for a failed, cancelled or interrupted attempt (a task killed mid-run is never up to date).
// The full reports of finished runs stay JSON files in `.weft/runs/` (history.ts): a wide
// fan-out's report is megabytes, read whole or not at all; the rows here index them.
//
// Nothing secret is stored: results and outputs arrive masked (`***`), fingerprints are hashes of
// masked text.
//
// Why SQLite over atomic or append-only files (measured on this project's machine, 10,000
// fingerprint writes each durable, then 10,000 look-ups; `npm run bench -- store`): SQLite in WAL
// mode with synchronous=FULL wrote in ~1.1 s and looked up in ~0.05 s; one atomic file per record
// (write, fsync, rename) ~1.7 s and ~0.07 s; an fsync'd append-only log ~0.8 s, but a look-up
// needs the whole log read and a later compaction, and concurrent writers of one key need a
// locking scheme of their own. SQLite gives concurrent runs (WAL readers never block; writers
// wait on busy_timeout) and kill -9 safety (a commit is in the WAL or not at all) without code
// of ours.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Database, nativeBinding } from './sqlite-library.js';

export type Store = {
  /** The database; the functions in journal.ts and fingerprints.ts are its only users. */
  readonly db: BetterSqlite3.Database;
  /** `.weft/weft.db` under the project root. */
  readonly file: string;
  /** A prepared statement, prepared once per store (preparing costs more than a look-up). */
  statement(sql: string): BetterSqlite3.Statement;
  close(): void;
};

/** The store's file under a project root. */
export function storeFile(root: string): string {
  return path.join(root, '.weft', 'weft.db');
}

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  hash TEXT NOT NULL,
  inputs_hash TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  status TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (file, pipeline, started_at);
CREATE TABLE IF NOT EXISTS journal (
  run_id TEXT NOT NULL,
  task TEXT NOT NULL,
  result TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (run_id, task)
);
CREATE TABLE IF NOT EXISTS fingerprints (
  file TEXT NOT NULL,
  task TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  output TEXT NOT NULL,
  generates TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (file, task)
);
CREATE TABLE IF NOT EXISTS file_hashes (
  path TEXT PRIMARY KEY,
  sig TEXT NOT NULL,
  hash TEXT NOT NULL
);
`;

/**
 * Open (creating it if need be) the store of the project at `root`. Several processes may hold it
 * open at once; a writer waits up to `busyTimeoutMs` for another's transaction.
 * @example
 * const store = openStore(pipeline.root);
 * try { readFingerprint(store, 'pipelines/build.yaml', 'compile') } finally { store.close() }
 */
export function openStore(root: string, busyTimeoutMs = 10_000): Store {
  const file = storeFile(root);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: busyTimeoutMs, ...(nativeBinding && { nativeBinding }) });
  try {
    // WAL: readers never block the writer, a commit is one append. FULL: that append is fsync'd,
    // so a task end journaled before a power cut is still there after it.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) {
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string): BetterSqlite3.Statement => {
    let stmt = prepared.get(sql);
    if (!stmt) prepared.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  };
  return { db, file, statement, close: () => db.close() };
}
