// Past runs, kept so a later `weft run --resume` can reuse what succeeded: one JSON file per run
// in `.weft/runs/` under the project root, holding the masked report and what it ran.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../errors.js';
import type { RunReport } from '../types.js';
import type { Store } from '../store/store.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { killedRun, killedRuns } from './killed-runs.js';

/** One saved run: the masked report, and the pipeline file it came from with a hash of its text. */
export type RunRecord = {
  format: 1;
  pipeline: string;
  /** The pipeline file, relative to the project root. */
  file: string;
  /** sha256 of the pipeline file's text when the run started: a resume of a changed file warns. */
  hash: string;
  /** hashInputs of the `--var` values: a hash, since a value may be a token the report never masks. */
  inputsHash: string;
  report: RunReport;
};

// Run ids from the CLI look like 2026-11-28T07-00-00-abc123; this only keeps an id a plain file name.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where a project's runs are kept. */
export function runsDir(root: string): string {
  return path.join(root, '.weft', 'runs');
}

/**
 * sha256 of a pipeline file's text, for RunRecord.hash.
 * @example await hashPipelineFile(pipeline.file) // 'e3b0c442…'
 */
export async function hashPipelineFile(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * sha256 of input values (keys sorted), for RunRecord.inputsHash.
 * @example hashInputs({ n: 2 }) === hashInputs({ n: 2 }) // true
 */
export function hashInputs(inputs: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/**
 * Save a run as `.weft/runs/<runId>.json` under `root`, atomically. `report` must be the masked
 * report runPipeline returned, so no secret lands on disk. Returns the file's path.
 * @example await saveRun(pipeline.root, { pipeline: 'hello', file: 'pipelines/hello.yaml', hash, inputsHash, report })
 */
export async function saveRun(root: string, record: Omit<RunRecord, 'format'>, keep = KEEP_RUNS): Promise<string> {
  if (!RUN_ID.test(record.report.runId)) throw new WeftError('USAGE', `cannot save run "${record.report.runId}": not a file name`);
  const file = path.join(runsDir(root), `${record.report.runId}.json`);
  const full: RunRecord = { format: 1, ...record };
  await writeFileAtomic(file, `${JSON.stringify(full, null, 2)}\n`);
  await pruneRuns(runsDir(root), keep);
  return file;
}

/** Runs kept in `.weft/runs`, newest first; older ones are deleted as new runs are saved. */
export const KEEP_RUNS = 100;

// By modification time, not by reading the records: a report of a wide fan-out can be megabytes.
async function pruneRuns(dir: string, keep: number): Promise<void> {
  const files = await listRunFiles(dir);
  if (files.length <= keep) return;
  // A concurrent run may prune a file between the listing and its stat: gone is what pruning wants.
  const found = await Promise.all(files.map(async (f) => ({ f, at: await mtimeOf(path.join(dir, f)) })));
  const dated = found.filter((d): d is { f: string; at: number } => d.at !== undefined);
  dated.sort((a, b) => b.at - a.at || (a.f < b.f ? 1 : -1));
  await Promise.all(dated.slice(keep).map(({ f }) => rm(path.join(dir, f), { force: true })));
}

async function mtimeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The run to resume of the pipeline named `name` in `file` (relative to the root): the one with
 * id `runId`, or the latest (by start time). Both must match, so two files that share a `name:`
 * never resume each other. With the store, runs that were killed before saving a report count
 * too, read from their journal. A USAGE error (exit 2) when there is none, when the id is
 * unknown, or when it is another pipeline's run.
 * @example const { report } = await findRun(pipeline.root, { name: 'hello', file: 'pipelines/hello.yaml' })
 */
export async function findRun(root: string, pipeline: { name: string; file: string }, runId?: string, store?: Store): Promise<RunRecord> {
  const dir = runsDir(root);
  const shown = path.join('.weft', 'runs');
  const { name, file } = pipeline;
  if (runId !== undefined) {
    if (!RUN_ID.test(runId)) throw new WeftError('USAGE', `--resume: "${runId}" is not a run id`);
    const record = (await readRecord(path.join(dir, `${runId}.json`))) ?? (store && killedRun(store, runId));
    if (!record) throw new WeftError('USAGE', `--resume: no run "${runId}" in ${shown}`);
    if (record.pipeline !== name || record.file !== file) {
      throw new WeftError('USAGE', `--resume: run "${runId}" is a run of pipeline "${record.pipeline}" (${record.file}), not "${name}" (${file})`);
    }
    return record;
  }
  let best: RunRecord | undefined;
  const candidates = [...(await listRuns(root)), ...(store ? killedRuns(store, file, name) : [])];
  for (const record of candidates) {
    if (record.pipeline !== name || record.file !== file) continue;
    if (!best || record.report.startedAt > best.report.startedAt) best = record;
  }
  if (!best) throw new WeftError('USAGE', `--resume: no previous run of "${name}" (${file}) in ${shown}`);
  return best;
}

/**
 * Every kept run that reads as a record, newest first (by start time, then id).
 * @example (await listRuns(root)).map((r) => r.report.runId)
 */
export async function listRuns(root: string): Promise<RunRecord[]> {
  const dir = runsDir(root);
  const records = await Promise.all((await listRunFiles(dir)).map((f) => readRecord(path.join(dir, f))));
  return records
    .filter((r): r is RunRecord => r !== undefined)
    .sort((a, b) => b.report.startedAt - a.report.startedAt || (a.report.runId < b.report.runId ? 1 : -1));
}

/** The kept run with id `runId`, or undefined when there is none (or the id is no file name). */
export async function readRun(root: string, runId: string): Promise<RunRecord | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  return readRecord(path.join(runsDir(root), `${runId}.json`));
}

async function listRunFiles(dir: string): Promise<string[]> {
  try {
    // Temp files of a save in progress start with a dot and end in .tmp.
    return (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A run record, or undefined for a missing file or one that is not a record (hand-edited, foreign). */
async function readRecord(file: string): Promise<RunRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as Partial<RunRecord>;
    const report = record.report;
    const ok =
      record.format === 1 &&
      typeof record.pipeline === 'string' &&
      typeof record.hash === 'string' &&
      typeof report === 'object' &&
      report !== null &&
      typeof report.runId === 'string' &&
      typeof report.startedAt === 'number' &&
      typeof report.tasks === 'object' &&
      report.tasks !== null;
    return ok ? (record as RunRecord) : undefined;
  } catch {
    return undefined;
  }
}
