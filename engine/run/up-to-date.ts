// Up-to-date checks: a task that declares `sources` or `generates` is skipped when its fingerprint
// matches the one its last success recorded and every file it generated then is still there with
// the same content. The fingerprint is a sha256 over
//   - the content hash of every file its `sources` globs match,
//   - its rendered definition: executor, `with`, the pipeline's and its own env, model,
//   - what each of its needs contributes: the need's own fingerprint, or, for a need with no
//     sources, its status and output (a need that ran and said the same thing changes nothing).
// Everything hashed is masked first, so no digest in the store is derived from a secret's value;
// a changed secret alone does not make a task stale (use --force).
// Records are written only after a success (JournalWriter), and a record is deleted before an
// attempt of its task starts, so an attempt killed mid-way never leaves its task up to date.
import { createHash } from 'node:crypto';
import type { Masker } from '../mask.js';
import { writeFileHashes } from '../store/file-hashes.js';
import { forgetFingerprint, readFingerprint, type FingerprintRecord } from '../store/fingerprints.js';
import type { Store } from '../store/store.js';
import type { FileHasher } from './file-hashes.js';
import type { JournalWriter } from './journal-writer.js';
import type { Instance, TaskState } from './state.js';
import type { BaseScope } from '../types.js';

export type UpToDateVerdict = { upToDate: true; output: unknown } | { upToDate: false };

export interface UpToDate {
  /** Whether the instance can be skipped; when not, its fingerprint is set and any old record is gone. */
  check(inst: Instance): Promise<UpToDateVerdict>;
  /** The instance succeeded with `output`: record its fingerprint, its output and what it generated. */
  succeeded(inst: Instance, output: unknown): void;
  /** Resolves once every record started by succeeded() is queued in the journal. */
  idle(): Promise<void>;
  /** Keep the source hashes this run computed, for the next run (after idle()). */
  keepHashes(): Promise<void>;
}

export type UpToDateOptions = {
  store: Store;
  /** The pipeline file relative to the root: records are per file and task. */
  file: string;
  hasher: FileHasher;
  masker: Masker;
  scope: BaseScope;
  tasks: Map<string, TaskState>;
  journal: JournalWriter;
  /** `--force`: every task, or these task ids. */
  force?: true | readonly string[];
  warn(message: string): void;
  /** Keys of the pipeline's own `env:` (scope.env also holds the process env). */
  envKeys: readonly string[];
};

/** Whether the task takes part in up-to-date checks at all. */
export function isCheckable(state: TaskState): boolean {
  return state.spec.sources !== undefined || state.spec.generates !== undefined;
}

/**
 * The up-to-date checker of one run.
 * @example const verdict = await upToDate.check(inst); if (verdict.upToDate) endWith(verdict.output)
 */
export function createUpToDate(options: UpToDateOptions): UpToDate {
  const { store, file, hasher, masker } = options;
  const pending = new Set<Promise<void>>();
  const forced = (inst: Instance): boolean => options.force === true || (options.force?.includes(inst.task.spec.id) ?? false);

  async function fingerprintOf(inst: Instance): Promise<string> {
    const { spec } = inst.task;
    const sources = spec.sources ? await hasher.hashGlobs(spec.sources) : [];
    // The pipeline's and the task's own env, not the whole process env (`env.*` falls back to it):
    // PWD, OLDPWD or SHLVL differ from one shell to the next and would make every task stale.
    const env: Record<string, string> = {};
    for (const key of options.envKeys) env[key] = options.scope.env[key] ?? '';
    for (const key of Object.keys(spec.env)) env[key] = inst.env[key] ?? '';
    const definition = { v: 1, uses: spec.uses, with: inst.with, env, model: spec.model ?? null, generates: spec.generates ?? null };
    const needs = spec.needs.map((id) => [id, contributionOf(options.tasks.get(id)!)]);
    return sha256(JSON.stringify([masker.maskDeep(definition), sources, needs]));
  }

  /** What a need adds to its dependents' fingerprints. */
  function contributionOf(need: TaskState): string {
    const own = need.instances.map((i) => i.fingerprint ?? null);
    if (own.length > 0 && own.every((f) => f !== null)) return sha256(JSON.stringify(own));
    return sha256(JSON.stringify(masker.maskDeep(options.scope.tasks[need.spec.id] ?? null)));
  }

  async function generatedIntact(record: FingerprintRecord): Promise<boolean> {
    const entries = Object.entries(record.generates);
    const now = await Promise.all(entries.map(([f]) => hasher.hashFile(f)));
    return entries.every(([, hash], i) => now[i] === hash);
  }

  return {
    async check(inst) {
      const fingerprint = await fingerprintOf(inst);
      const record = readFingerprint(store, file, inst.id);
      if (record && !forced(inst) && record.fingerprint === fingerprint && (await generatedIntact(record))) {
        inst.fingerprint = fingerprint;
        return { upToDate: true, output: record.output };
      }
      if (record) forgetFingerprint(store, file, inst.id);
      inst.fingerprint = fingerprint;
      return { upToDate: false };
    },
    succeeded(inst, output) {
      const fingerprint = inst.fingerprint;
      if (fingerprint === undefined) return;
      // The task may have written files anywhere: glob again, and hash what it generated now.
      hasher.forgetGlobs();
      const recording = (async () => {
        const generated = inst.task.spec.generates ? await hasher.hashGlobs(inst.task.spec.generates) : [];
        options.journal.fingerprint(inst.id, { fingerprint, output: masker.maskDeep(output), generates: Object.fromEntries(generated) });
      })()
        .catch((error: unknown) => options.warn(`task ${inst.id}: not recorded for up-to-date checks: ${(error as Error).message}`))
        .finally(() => pending.delete(recording));
      pending.add(recording);
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
    async keepHashes() {
      try {
        writeFileHashes(store, await hasher.learned());
      } catch (error) {
        options.warn(`could not keep source hashes in ${store.file}: ${(error as Error).message}`);
      }
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
