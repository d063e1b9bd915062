// Task ends and fingerprints on their way into the store: gathered for at most COMMIT_EVERY_MS
// and committed together, so a burst of ends (a fan-out finishing, a run of up-to-date tasks)
// costs one fsync, not one each: committed one by one, the 1,000 ends of an all-up-to-date run
// took ~1.9 s of fsyncs here, in 25 ms windows ~0.2 s (bench uptodate). A SIGKILL loses at most
// the ends of one window, and a lost end only means that task runs again on --resume (never
// that one looks done).
import { toErrorData } from '../errors.js';
import type { FingerprintRecord } from '../store/fingerprints.js';
import { recordTaskEnds, type FingerprintWrite, type TaskEnd } from '../store/journal.js';
import type { Store } from '../store/store.js';
import type { TaskResult } from '../types.js';

/** The longest a task end waits for its commit. */
const COMMIT_EVERY_MS = 100;
/** Rows that are committed at once without waiting for the window to close. */
const COMMIT_AT_MOST = 500;

export interface JournalWriter {
  /** A task (or instance) ended; `result` masked. */
  taskEnded(id: string, result: TaskResult): void;
  /** A success earned a fingerprint; `record.output` masked. */
  fingerprint(id: string, record: FingerprintRecord): void;
  /** Commit what is pending now. */
  flush(): void;
}

/**
 * A writer for run `runId` of pipeline `file` (relative to the root). A store that fails (disk
 * full, locked for too long) is reported once through `warn` and not written to again: the run
 * goes on, as it does when its report cannot be saved.
 * @example const journal = createJournalWriter(store, runId, 'pipelines/build.yaml', warn)
 */
export function createJournalWriter(store: Store, runId: string, file: string, warn: (message: string) => void): JournalWriter {
  let ends: TaskEnd[] = [];
  let fingerprints: FingerprintWrite[] = [];
  let scheduled: NodeJS.Timeout | undefined;
  let broken = false;

  function flush(): void {
    if (scheduled) clearTimeout(scheduled);
    scheduled = undefined;
    if (broken || (ends.length === 0 && fingerprints.length === 0)) return;
    const batch = { ends, fingerprints };
    ends = [];
    fingerprints = [];
    try {
      recordTaskEnds(store, runId, batch.ends, batch.fingerprints);
    } catch (error) {
      broken = true;
      warn(`could not write the run journal to ${store.file}: ${toErrorData(error).message}; --resume and up-to-date checks will not know this run's tasks`);
    }
  }
  const schedule = (): void => {
    if (ends.length + fingerprints.length >= COMMIT_AT_MOST) return flush();
    // Unref'd: a pending commit never keeps the process alive (the run's end flushes it).
    scheduled ??= setTimeout(flush, COMMIT_EVERY_MS).unref();
  };
  return {
    taskEnded(id, result) {
      ends.push({ id, result });
      schedule();
    },
    fingerprint(id, record) {
      fingerprints.push({ file, id, record });
      schedule();
    },
    flush,
  };
}
