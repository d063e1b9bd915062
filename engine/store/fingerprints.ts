// Fingerprints of tasks' last successful attempts, for up-to-date checks (store.ts).
import type { Store } from './store.js';

/** What a success left behind: its fingerprint, its (masked) output, and the files it generated. */
export type FingerprintRecord = {
  fingerprint: string;
  output: unknown;
  /** Each `generates` file (relative to the root) and the sha256 of its content then. */
  generates: Record<string, string>;
};

/**
 * The record of the last success of task (or instance) `id` of pipeline `file`, if any.
 * @example readFingerprint(store, 'pipelines/build.yaml', 'compile')?.fingerprint
 */
export function readFingerprint(store: Store, file: string, id: string): FingerprintRecord | undefined {
  const row = store.statement('SELECT fingerprint, output, generates FROM fingerprints WHERE file = ? AND task = ?').get(file, id) as
    | { fingerprint: string; output: string; generates: string }
    | undefined;
  if (!row) return undefined;
  return { fingerprint: row.fingerprint, output: JSON.parse(row.output) as unknown, generates: JSON.parse(row.generates) as Record<string, string> };
}

/**
 * Record a success. Only ever called after the attempt returned: callers put it in the same
 * transaction as the journal row (recordTaskEnd's `also`). `output` must be masked.
 * @example writeFingerprint(store, 'pipelines/build.yaml', 'compile', { fingerprint, output, generates })
 */
export function writeFingerprint(store: Store, file: string, id: string, record: FingerprintRecord): void {
  store
    .statement('INSERT OR REPLACE INTO fingerprints (file, task, fingerprint, output, generates, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(file, id, record.fingerprint, JSON.stringify(record.output ?? null), JSON.stringify(record.generates), Date.now());
}

/**
 * Forget a task's record as its attempt starts: an attempt killed mid-way (kill -9, power cut)
 * may have half-done the task's work, so the older success must not stand as proof of freshness.
 * @example forgetFingerprint(store, 'pipelines/build.yaml', 'compile')
 */
export function forgetFingerprint(store: Store, file: string, id: string): void {
  store.statement('DELETE FROM fingerprints WHERE file = ? AND task = ?').run(file, id);
}
