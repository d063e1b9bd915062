// The CLI's side of the durable store for `weft run`: open it, say the run started and ended.
// A store that cannot be opened or written does not fail the run (as with the saved report):
// the run goes on without journal or up-to-date checks, with a warning.
import path from 'node:path';
import { toErrorData } from '../errors.js';
import { beginRun, endRun } from '../store/journal.js';
import { openStore, type Store } from '../store/store.js';
import type { Pipeline, RunReport } from '../types.js';

/** The project's store, or undefined (with the reason given to `warn`). */
export function openRunStore(pipeline: Pipeline, warn: (message: string) => void): Store | undefined {
  try {
    return openStore(pipeline.root);
  } catch (error) {
    warn(`could not open the store in ${path.join(pipeline.root, '.weft')}: ${toErrorData(error).message}; no journal, no up-to-date checks this run`);
    return undefined;
  }
}

/** Record a run's start before its first task. */
export function beginStoredRun(store: Store | undefined, pipeline: Pipeline, run: { runId: string; hash: string; inputsHash: string; startedAt: number }, warn: (message: string) => void): void {
  if (!store) return;
  try {
    beginRun(store, { ...run, file: path.relative(pipeline.root, pipeline.file), pipeline: pipeline.name, pid: process.pid });
  } catch (error) {
    warn(`could not record run ${run.runId} in the store: ${toErrorData(error).message}`);
  }
}

/** Record a run's end (status and time). */
export function endStoredRun(store: Store | undefined, report: RunReport, warn: (message: string) => void): void {
  if (!store) return;
  try {
    endRun(store, report.runId, report.status, report.endedAt);
  } catch (error) {
    warn(`could not record the end of run ${report.runId} in the store: ${toErrorData(error).message}`);
  }
}
