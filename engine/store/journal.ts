// The run journal: a row per run and a row per task end, committed as each happens (store.ts).
import type { RunStatus, TaskResult } from '../types.js';
import { writeFingerprint, type FingerprintRecord } from './fingerprints.js';
import type { Store } from './store.js';

/** What a run is known by: its pipeline file (relative to the root) and name, with their hashes. */
export type RunHead = {
  runId: string;
  /** The pipeline file, relative to the project root. */
  file: string;
  pipeline: string;
  hash: string;
  inputsHash: string;
  startedAt: number;
  /** The process running it: an unended run whose owner is gone was killed. */
  pid: number;
};

export type JournaledRun = RunHead & {
  endedAt?: number;
  status?: RunStatus;
  /** Every task end journaled, by task or instance id. */
  tasks: Record<string, TaskResult>;
};

/**
 * Record that a run started. Call before its first task starts.
 * @example beginRun(store, { runId, file: 'pipelines/build.yaml', pipeline: 'build', hash, inputsHash, startedAt: Date.now(), pid: process.pid })
 */
export function beginRun(store: Store, head: RunHead): void {
  store
    .statement('INSERT OR REPLACE INTO runs (run_id, file, pipeline, hash, inputs_hash, pid, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(head.runId, head.file, head.pipeline, head.hash, head.inputsHash, head.pid, head.startedAt);
}

/** One task (or instance) end to journal. */
export type TaskEnd = {
  id: string;
  /** Masked. */
  result: TaskResult;
};

/** The fingerprint a success earned, for task (or instance) `id` of pipeline `file`. */
export type FingerprintWrite = { file: string; id: string; record: FingerprintRecord };

/**
 * Journal task ends, and the fingerprints successes earned, in one durable commit (one fsync
 * however many ended together). Results and outputs must be masked.
 * @example recordTaskEnds(store, runId, [{ id: 'compile', result: maskedResult }])
 */
export function recordTaskEnds(store: Store, runId: string, ends: readonly TaskEnd[], fingerprints: readonly FingerprintWrite[] = []): void {
  if (ends.length === 0 && fingerprints.length === 0) return;
  const insert = store.statement('INSERT OR REPLACE INTO journal (run_id, task, result, at) VALUES (?, ?, ?, ?)');
  const write = store.db.transaction(() => {
    const at = Date.now();
    for (const end of ends) {
      insert.run(runId, end.id, JSON.stringify(end.result), at);
    }
    for (const f of fingerprints) writeFingerprint(store, f.file, f.id, f.record);
  });
  write.immediate();
}

/** Runs journaled beyond this many (newest first) lose their journal rows as new runs end. */
export const KEEP_JOURNALED_RUNS = 100;

/**
 * Record a run's end, and drop the journal of runs older than the newest KEEP_JOURNALED_RUNS.
 * @example endRun(store, runId, 'success', Date.now())
 */
export function endRun(store: Store, runId: string, status: RunStatus, endedAt: number, keep = KEEP_JOURNALED_RUNS): void {
  const write = store.db.transaction(() => {
    store.statement('UPDATE runs SET ended_at = ?, status = ? WHERE run_id = ?').run(endedAt, status, runId);
    const old = 'SELECT run_id FROM runs ORDER BY started_at DESC LIMIT -1 OFFSET ?';
    store.statement(`DELETE FROM journal WHERE run_id IN (${old})`).run(keep);
    store.statement(`DELETE FROM runs WHERE run_id IN (${old})`).run(keep);
  });
  write.immediate();
}

type RunRow = {
  run_id: string;
  file: string;
  pipeline: string;
  hash: string;
  inputs_hash: string;
  pid: number;
  started_at: number;
  ended_at: number | null;
  status: RunStatus | null;
};

/**
 * A run with every task end journaled for it, or undefined when the store has no such run.
 * @example journaledRun(store, '2026-12-01T11-00-00-abc123')?.tasks.compile?.status // 'success'
 */
export function journaledRun(store: Store, runId: string): JournaledRun | undefined {
  const row = store.statement('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
  return row ? withTasks(store, row) : undefined;
}

/**
 * Runs of one pipeline (file and name), newest first, without their task ends.
 * @example runsOf(store, 'pipelines/build.yaml', 'build')[0]?.runId
 */
export function runsOf(store: Store, file: string, pipeline: string): Array<Omit<JournaledRun, 'tasks'>> {
  const rows = store
    .statement('SELECT * FROM runs WHERE file = ? AND pipeline = ? ORDER BY started_at DESC')
    .all(file, pipeline) as RunRow[];
  return rows.map(toHead);
}

function toHead(row: RunRow): Omit<JournaledRun, 'tasks'> {
  const run: Omit<JournaledRun, 'tasks'> = {
    runId: row.run_id,
    file: row.file,
    pipeline: row.pipeline,
    hash: row.hash,
    inputsHash: row.inputs_hash,
    pid: row.pid,
    startedAt: row.started_at,
  };
  if (row.ended_at !== null) run.endedAt = row.ended_at;
  if (row.status !== null) run.status = row.status;
  return run;
}

function withTasks(store: Store, row: RunRow): JournaledRun {
  const tasks: Record<string, TaskResult> = {};
  const ends = store.statement('SELECT task, result FROM journal WHERE run_id = ? ORDER BY at').all(row.run_id) as Array<{ task: string; result: string }>;
  for (const { task, result } of ends) tasks[task] = JSON.parse(result) as TaskResult;
  return { ...toHead(row), tasks };
}

/** Whether the process that owns an unended run is gone (a SIGKILL, a crash, a power cut). */
export function ownerGone(run: { pid: number; endedAt?: number }): boolean {
  if (run.endedAt !== undefined) return false;
  if (run.pid === process.pid) return false;
  try {
    process.kill(run.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
