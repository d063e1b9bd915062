// The one place the CLI reads kept runs from: the reports saved in .weft/runs (run/history.ts),
// and the runs that were killed before they could save one, from the store's journal.
import { existsSync } from 'node:fs';
import { listRuns, readRun, type RunRecord } from '../run/history.js';
import { killedRun, killedRuns } from '../run/killed-runs.js';
import { openStore, storeFile, type Store } from '../store/store.js';

export type KeptRun = RunRecord;

/** Every kept run of the project rooted at `root`, killed ones included, newest first. */
export async function readKeptRuns(root: string): Promise<KeptRun[]> {
  const saved = await listRuns(root);
  const ids = new Set(saved.map((r) => r.report.runId));
  const killed = withStore(root, (store) => {
    const pipelines = store.statement('SELECT DISTINCT file, pipeline FROM runs').all() as Array<{ file: string; pipeline: string }>;
    return pipelines.flatMap(({ file, pipeline }) => killedRuns(store, file, pipeline));
  }) ?? [];
  return [...saved, ...killed.filter((r) => !ids.has(r.report.runId))].sort(
    (a, b) => b.report.startedAt - a.report.startedAt || (a.report.runId < b.report.runId ? 1 : -1),
  );
}

/** One kept run by id (a saved report, else a killed run's journal), or undefined. */
export async function readKeptRun(root: string, runId: string): Promise<KeptRun | undefined> {
  return (await readRun(root, runId)) ?? withStore(root, (store) => killedRun(store, runId));
}

// Reading never creates the store: a project that never ran has none. A store that cannot be
// opened (no native module, a locked file) hides only the killed runs, as a run goes on without it.
function withStore<T>(root: string, read: (store: Store) => T): T | undefined {
  if (!existsSync(storeFile(root))) return undefined;
  let store: Store;
  try {
    store = openStore(root);
  } catch {
    return undefined;
  }
  try {
    return read(store);
  } finally {
    store.close();
  }
}
