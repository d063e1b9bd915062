// Runs that never ended (SIGKILL, a crash, a power cut) have no saved report, only their journal
// in the store: each task end as it happened. These read them as run records, for --resume.
import { journaledRun, ownerGone, runsOf, type JournaledRun } from '../store/journal.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from './history.js';

/**
 * Killed runs of pipeline `name` from `file` (relative to the root), newest first.
 * @example killedRuns(store, 'pipelines/build.yaml', 'build')[0]?.report.tasks
 */
export function killedRuns(store: Store, file: string, name: string): RunRecord[] {
  return runsOf(store, file, name)
    .filter(ownerGone)
    .map((head) => journaledRun(store, head.runId))
    .filter((run): run is JournaledRun => run !== undefined)
    .map(toRecord);
}

/** The killed run `runId`, or undefined when it is unknown or did not die. */
export function killedRun(store: Store, runId: string): RunRecord | undefined {
  const run = journaledRun(store, runId);
  return run && ownerGone(run) ? toRecord(run) : undefined;
}

function toRecord(run: JournaledRun): RunRecord {
  const ends = Object.values(run.tasks).map((r) => ('endedAt' in r && typeof r.endedAt === 'number' ? r.endedAt : run.startedAt));
  const endedAt = Math.max(run.startedAt, ...ends);
  return {
    format: 1,
    pipeline: run.pipeline,
    file: run.file,
    hash: run.hash,
    inputsHash: run.inputsHash,
    report: {
      pipeline: run.pipeline,
      runId: run.runId,
      status: 'cancelled',
      startedAt: run.startedAt,
      endedAt,
      durationMs: endedAt - run.startedAt,
      tasks: run.tasks,
      outputs: {},
      usage: { byModel: {}, totalTokens: 0, costUsd: 0 },
      error: { code: 'TASK_CANCELLED', message: 'the run was killed (no report saved); its journal holds the tasks that ended' },
    },
  };
}
