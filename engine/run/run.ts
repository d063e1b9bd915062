// runPipeline: setup, then the lifecycle and the attempt runner around the scheduler, then the
// report. Each part lives in its own file: setup.ts, lifecycle.ts, attempts.ts, report.ts.
import { MIN_SECRET_LENGTH } from '../mask.js';
import { createScheduler } from '../schedule/scheduler.js';
import type { Pipeline, RunReport } from '../types.js';
import { createAttemptRunner, type AttemptRunner } from './attempts.js';
import { createLifecycle } from './lifecycle.js';
import { buildReport } from './report.js';
import { isCleanup } from './state.js';
import { setupRun, type RunContext, type RunPipelineOptions } from './setup.js';

export type { RunPipelineOptions } from './setup.js';

/**
 * Run a loaded pipeline: a ready-queue scheduler starts each task the moment its needs are met
 * and a slot is free; executors run on a worker pool.
 * Throws a WeftError (INPUT_INVALID, MISSING_API_KEY, …) only for problems found before any task
 * starts; task failures are in the report.
 * @example
 * const { pipeline } = await loadPipeline('hello');
 * const report = await runPipeline(pipeline!, { onEvent: (e) => console.log(e.type) });
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions = {}): Promise<RunReport> {
  const ctx = await setupRun(pipeline, options);
  let attempts!: AttemptRunner;
  const scheduler = createScheduler({
    concurrency: ctx.concurrency,
    groups: ctx.groups,
    pools: pipeline.pools,
    start: (unit, info) => attempts.start(unit.id, info),
    chainLength: () => ctx.pool?.chainLength?.() ?? 1,
  });
  const lifecycle = createLifecycle(
    ctx,
    (job) => attempts.enqueue(job),
    (inst) => attempts.stopService(inst),
  );
  attempts = createAttemptRunner(ctx, scheduler, lifecycle);

  // Cancel: running tasks are aborted and nothing new starts, except `when: always|cancelled`
  // tasks, which run as their needs end, for up to the grace period (or until `kill`).
  let graceTimer: NodeJS.Timeout | undefined;
  const onKill = (): void => {
    clearTimeout(graceTimer);
    attempts.cancel();
    lifecycle.cancel((inst) => attempts.isRunning(inst), true);
  };
  const onAbort = (): void => {
    attempts.cancel((inst) => !isCleanup(inst.task));
    lifecycle.cancel((inst) => attempts.isRunning(inst));
    graceTimer = setTimeout(onKill, ctx.graceMs);
    options.kill?.addEventListener('abort', onKill, { once: true });
    if (options.kill?.aborted) onKill();
  };
  ctx.emit({ type: 'run:start', runId: ctx.runId, pipeline: pipeline.name, total: ctx.tasks.size, at: ctx.startedAt });
  // Masking one or two characters would hide them in every word; say so instead of pretending.
  for (const [name, value] of Object.entries(ctx.scope.secrets)) {
    if (value.length < MIN_SECRET_LENGTH) ctx.emit({ type: 'warning', message: `secret ${name} is shorter than ${MIN_SECRET_LENGTH} characters: it is not masked` });
  }
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await lifecycle.start();
  } finally {
    clearTimeout(graceTimer);
    options.kill?.removeEventListener('abort', onKill);
    options.signal?.removeEventListener('abort', onAbort);
    scheduler.close();
    attempts.close();
    if (ctx.ownPool) await ctx.pool!.destroy();
    ctx.watchdog?.release();
    await ctx.upToDate?.idle();
    await ctx.upToDate?.keepHashes();
  }
  return finishRun(ctx);
}

function finishRun(ctx: RunContext): RunReport {
  const report = buildReport({
    pipeline: ctx.pipeline,
    dryRun: ctx.dryRun,
    tasks: ctx.tasks,
    runId: ctx.runId,
    startedAt: ctx.startedAt,
    aborted: ctx.flags.aborted,
    ...(ctx.budget.error && { runError: ctx.budget.error }),
    usage: ctx.usage,
    cache: ctx.cache,
    ...(ctx.options.resume && { resumedFrom: ctx.options.resume.runId }),
    engine: ctx.engine,
    scope: ctx.scope,
    masker: ctx.masker,
    warn: (message) => ctx.emit({ type: 'warning', message }),
  });
  ctx.emit({ type: 'run:end', report });
  ctx.journal?.flush();
  return report;
}
