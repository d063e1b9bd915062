// The one place the CLI reads kept runs from. Today they are the JSON files of run/history.ts;
// when runs move to another store, only these two functions change.
import { listRuns, readRun, type RunRecord } from '../run/history.js';

export type KeptRun = RunRecord;

/** Every kept run of the project rooted at `root`, newest first. */
export function readKeptRuns(root: string): Promise<KeptRun[]> {
  return listRuns(root);
}

/** One kept run by id, or undefined. */
export function readKeptRun(root: string, runId: string): Promise<KeptRun | undefined> {
  return readRun(root, runId);
}
