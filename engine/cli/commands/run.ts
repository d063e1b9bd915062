import path from 'node:path';
import { parseDuration } from '../../duration.js';
import { WeftError, toErrorData } from '../../errors.js';
import { hashInputs } from '../../run/history.js';
import { selectTargets } from '../../plan/select.js';
import { suggest } from '../../suggest.js';
import type { Loaded } from '../../types.js';
import type { Pipeline, RunReport } from '../../types.js';
import { writeFileAtomic } from '../../write-file-atomic.js';
import { positiveIntFlag, stringFlag, type FlagValues, type ParsedArgs } from '../args.js';
import type { ExecutorPool } from '../../pool/local.js';
import { startPool, type StartedPool } from '../start-pool.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { chooseRenderer } from '../choose-renderer.js';
import { renderReportHtml } from '../report-html.js';
import { findResume, runOnce, runStore, type RunSettings } from '../run-once.js';
import { exitCodeForSignal, onProcessSignal } from '../signals.js';
import type { TerminationSignal } from '../io.js';
import { parseVars } from '../vars.js';
import { watchRuns } from '../watch.js';
import { requirePipelineAndTargets } from './require-one.js';

export const run: Command = {
  name: 'run',
  summary: 'run a pipeline, or some of its tasks and what they need',
  usage: `Usage: weft run <pipeline> [TASK...] [options]

TASKs (task ids, template calls such as audit, or template tasks such as audit.security) run
with everything they need and nothing else; without any, the pipeline's default: targets, else
every task. Tasks with sources/generates are skipped when up to date (status up-to-date).

Options:
  --var KEY=VALUE    set an input (repeatable); typed by the input's declared type
  --force [TASK]     run tasks even when up to date: every task, or TASK (repeatable)
  --watch            run, then run again whenever a file a task's sources match changes
  --concurrency N    most tasks running at once
  --sequential       one task at a time, in dependency order
  --keep-going       after a failure, keep starting tasks that do not depend on it
  --dry-run          print each task with its rendered \`with\` instead of running it
  --json             print the run report (JSON) on stdout and nothing else; progress on stderr
  --no-cache         do not read or write the llm response cache
  --resume [RUN]     reuse what succeeded in run RUN (default: the latest run of this pipeline file)
  --report FILE      also write the run report as a self-contained HTML page
  --grace DURATION   after Ctrl-C or SIGTERM, how long when: always|cancelled tasks may run
                     (default 30s); a second Ctrl-C ends them at once
  --queue URL        run the attempts on \`weft worker\` processes through Redis (redis://HOST:PORT);
                     default: \`queue:\` in weft.config.yaml, else this machine
  --output MODE      live (default on a terminal): running tasks and their latest line;
                     prefixed (default elsewhere): every log line as it comes, as [task] line;
                     grouped: each task's lines in one block when it ends; quiet: the summary only
  --dir DIR          the pipelines folder
  --verbose          live: stream every log line above the view; stacks for internal errors

Exit codes: 0 success, 1 a task failed, 2 invalid pipeline, input or task name, 130 SIGINT, 143 SIGTERM.`,
  flags: {
    var: { type: 'string', multiple: true },
    force: { type: 'string', multiple: true, optionalValue: true },
    watch: { type: 'boolean' },
    concurrency: { type: 'string', short: 'c' },
    sequential: { type: 'boolean' },
    'keep-going': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    resume: { type: 'string', optionalValue: true },
    report: { type: 'string' },
    grace: { type: 'string' },
    output: { type: 'string', short: 'o' },
    queue: { type: 'string' },
  },
  async run(args, ctx) {
    // Threads start while the pipeline loads; a --watch reuses them for every run.
    const started = await startPool(ctx.cwd, args.values['dry-run'] === true, stringFlag(args.values, 'queue'));
    try {
      return await runWith(args, ctx, started);
    } finally {
      await started.pool?.destroy();
    }
  },
};

async function runWith({ values, positionals }: ParsedArgs, ctx: CommandContext, started: StartedPool): Promise<number> {
  const named = requirePipelineAndTargets(positionals, 'run');
  const { pipeline: whole, loaded } = await loadOrThrow(named.pipeline, { cwd: ctx.cwd, dir: ctx.dir });
  const pipeline = selectTargets(whole, named.targets);
  // On a queue the pool needs the pipeline (its project names the queue); Redis unreachable is
  // exit 2 before anything runs. Imported only then: a plain run never loads bullmq.
  const queuePool = started.queue ? await (await import('../../pool/queue.js')).createQueuePool({ url: started.queue, pipeline }) : undefined;
  try {
    return await runOn(queuePool ?? started.pool, values, ctx, pipeline, loaded);
  } finally {
    await queuePool?.destroy();
  }
}

async function runOn(pool: ExecutorPool | undefined, values: FlagValues, ctx: CommandContext, pipeline: Pipeline, loaded: Loaded): Promise<number> {
  const settings = { ...runSettings(values, pipeline, loaded), ...(pool && { pool }) };
  const json = values.json === true;
  if (values.watch === true) {
    if (json || settings.dryRun || values.resume !== undefined || values.report !== undefined) {
      throw new WeftError('USAGE', '--watch runs until interrupted: it takes no --json, --dry-run, --resume or --report');
    }
    return watchRuns(ctx, pipeline, { ...settings, ...(pool && { pool }) }, stringFlag(values, 'output'));
  }
  const renderer = chooseRenderer(ctx, stringFlag(values, 'output'), { json, dryRun: settings.dryRun });
  const warn = (message: string): void => renderer.onEvent({ type: 'warning', message });
  const store = runStore(pipeline, settings, warn);
  try {
    const resumeFlag = stringFlag(values, 'resume');
    // Bare --resume arrives as '': the latest run of this pipeline.
    const resume = resumeFlag === undefined ? undefined : await findResume(pipeline, resumeFlag || undefined, store);
    if (resume && resume.hash !== settings.hash) {
      warn(`${resume.file} (or a template, partial or config file it uses) changed since run ${resume.report.runId}; tasks that succeeded then are reused all the same`);
    }
    if (resume && resume.inputsHash !== settings.inputsHash) warn(`inputs differ from run ${resume.report.runId}; tasks that succeeded then are reused all the same`);

    const controller = new AbortController();
    const kill = new AbortController();
    let received: TerminationSignal | undefined;
    // The first signal cancels (cleanup tasks run); the second ends the cleanup too.
    const off = (ctx.io.onSignal ?? onProcessSignal)((signal) => {
      if (received) return kill.abort(new WeftError('TASK_CANCELLED', `interrupted again by ${signal}`));
      received = signal;
      controller.abort(new WeftError('TASK_CANCELLED', `interrupted by ${signal}`));
    });
    let report: RunReport;
    try {
      const how = { renderer, signal: controller.signal, kill: kill.signal, ...(resume && { resume: resume.report }), ...(store && { store }) };
      report = await runOnce(ctx, pipeline, settings, how);
    } finally {
      off();
    }
    const htmlFile = stringFlag(values, 'report');
    const reportCode = htmlFile === undefined ? EXIT.ok : await writeHtmlReport(ctx, htmlFile, report);
    if (json) ctx.print.out(JSON.stringify(report, null, 2));
    if (received) return exitCodeForSignal(received);
    // A run cancelled by anything but a signal (a budget, the engine) is a failure too.
    if (report.status !== 'success') return EXIT.taskFailed;
    return reportCode;
  } finally {
    store?.close();
  }
}

function runSettings(values: FlagValues, pipeline: Pipeline, loaded: Loaded): RunSettings {
  const inputs = parseVars((values.var as string[] | undefined) ?? [], pipeline.inputs);
  const settings: RunSettings = {
    loaded,
    inputs,
    hash: loaded.sourceHash,
    inputsHash: hashInputs(inputs),
    sequential: values.sequential === true,
    keepGoing: values['keep-going'] === true,
    dryRun: values['dry-run'] === true,
    noCache: values['no-cache'] === true,
  };
  const concurrency = positiveIntFlag(values, 'concurrency');
  if (concurrency !== undefined) settings.concurrency = concurrency;
  const force = forceFlag(values, pipeline);
  if (force) settings.force = force;
  const grace = stringFlag(values, 'grace');
  if (grace !== undefined) settings.graceMs = graceFlag(grace);
  return settings;
}

/** `--grace 10s`: a duration, or a USAGE error naming the flag. */
function graceFlag(raw: string): number {
  try {
    return parseDuration(raw);
  } catch {
    throw new WeftError('USAGE', `--grace must be a duration (250ms, 30s, 5m), got "${raw}"`);
  }
}

/** `--force` alone forces every task; `--force TASK` (repeatable) those tasks, which must exist. */
function forceFlag(values: FlagValues, pipeline: Pipeline): true | string[] | undefined {
  const given = values.force as string[] | undefined;
  if (!given) return undefined;
  if (given.includes('')) return true;
  for (const id of given) {
    if (!Object.hasOwn(pipeline.tasks, id)) {
      const hint = suggest(id, Object.keys(pipeline.tasks));
      throw new WeftError('USAGE', `--force: no task "${id}" in this run of ${pipeline.name}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  return given;
}

/** `--report FILE`: the HTML page, written atomically; a path that cannot be written is exit 2. */
async function writeHtmlReport(ctx: CommandContext, file: string, report: RunReport): Promise<number> {
  try {
    await writeFileAtomic(path.resolve(ctx.cwd, file), renderReportHtml(report));
    return EXIT.ok;
  } catch (error) {
    ctx.print.err(`weft: could not write --report ${file}: ${toErrorData(error).message}`);
    return EXIT.usage;
  }
}
