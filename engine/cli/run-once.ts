// One `weft run`: the store opened, the run started and journaled, the report kept.
import path from 'node:path';
import { toErrorData } from '../errors.js';
import { newRunId } from '../run/values.js';
import { findRun, saveRun, type RunRecord } from '../run/history.js';
import { runPipeline } from '../run/run.js';
import type { Loaded } from '../types.js';
import type { ExecutorPool } from '../pool/local.js';
import type { Store } from '../store/store.js';
import type { Pipeline, RunReport } from '../types.js';
import type { CommandContext } from './command.js';
import type { Renderer } from './renderer.js';
import { beginStoredRun, endStoredRun, openRunStore } from './run-store.js';

/** What `weft run`'s flags decided, the same for every run of a --watch. */
export type RunSettings = {
  /** What loading the pipeline found (registry, engine, partials, file hashes), reused by the run. */
  loaded: Loaded;
  inputs: Record<string, unknown>;
  hash: string;
  inputsHash: string;
  concurrency?: number;
  sequential: boolean;
  keepGoing: boolean;
  dryRun: boolean;
  noCache: boolean;
  force?: true | string[];
  /** `--grace`: how long cleanup tasks may run after Ctrl-C (ms). */
  graceMs?: number;
  /** Worker threads started before the pipeline loaded (start-pool.ts), shared by the runs of a --watch. */
  pool?: ExecutorPool;
};

/**
 * Run once and keep the run: its start and every task end in the store as they happen, its
 * masked report in .weft/runs when it ends. A dry run keeps nothing.
 * @example const report = await runOnce(ctx, pipeline, settings, { renderer, signal })
 */
export async function runOnce(
  ctx: CommandContext,
  pipeline: Pipeline,
  settings: RunSettings,
  how: { renderer: Renderer; signal: AbortSignal; kill?: AbortSignal; resume?: RunReport; store?: Store },
): Promise<RunReport> {
  const warn = (message: string): void => how.renderer.onEvent({ type: 'warning', message });
  const store = settings.dryRun ? undefined : how.store;
  const startedAt = Date.now();
  const runId = newRunId(startedAt);
  beginStoredRun(store, pipeline, { runId, hash: settings.hash, inputsHash: settings.inputsHash, startedAt }, warn);
  let report: RunReport | undefined;
  try {
    report = await runPipeline(pipeline, {
      loaded: settings.loaded,
      runId,
      inputs: settings.inputs,
      ...(settings.concurrency !== undefined && { concurrency: settings.concurrency }),
      sequential: settings.sequential,
      keepGoing: settings.keepGoing,
      dryRun: settings.dryRun,
      ...(how.resume && { resume: how.resume }),
      noCache: settings.noCache,
      signal: how.signal,
      ...(how.kill && { kill: how.kill }),
      ...(settings.graceMs !== undefined && { graceMs: settings.graceMs }),
      env: ctx.io.env,
      ...(store && { store }),
      ...(settings.force && { force: settings.force }),
      ...(settings.pool && { pool: settings.pool }),
      onEvent: (event) => how.renderer.onEvent(event),
    });
  } finally {
    how.renderer.finish(report);
  }
  if (!settings.dryRun) {
    endStoredRun(store, report, warn);
    await keepRun(ctx, pipeline, settings, report);
  }
  return report;
}

/** The store for a run (undefined on a dry run, or when it cannot be opened). */
export function runStore(pipeline: Pipeline, settings: RunSettings, warn: (message: string) => void): Store | undefined {
  return settings.dryRun ? undefined : openRunStore(pipeline, warn);
}

/** `--resume [RUN]`: the run to reuse, matched by pipeline file and name (killed runs too). */
export function findResume(pipeline: Pipeline, runId: string | undefined, store: Store | undefined): Promise<RunRecord> {
  return findRun(pipeline.root, { name: pipeline.name, file: path.relative(pipeline.root, pipeline.file) }, runId, store);
}

/** Save the (masked) report for `--resume`; a run is not failed by a folder it cannot write. */
async function keepRun(ctx: CommandContext, pipeline: Pipeline, settings: RunSettings, report: RunReport): Promise<void> {
  try {
    const file = path.relative(pipeline.root, pipeline.file);
    await saveRun(pipeline.root, { pipeline: pipeline.name, file, hash: settings.hash, inputsHash: settings.inputsHash, report });
  } catch (error) {
    ctx.print.err(`weft: warning: could not save run ${report.runId} for --resume: ${toErrorData(error).message}`);
  }
}
