import path from 'node:path';
import { WeftError, toErrorData } from '../../errors.js';
import { runPipeline } from '../../run/run.js';
import { findRun, hashInputs, saveRun } from '../../run/history.js';
import type { Pipeline, RunReport } from '../../types.js';
import { writeFileAtomic } from '../../write-file-atomic.js';
import { positiveIntFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { ExecutorPool } from '../../pool/local.js';
import { startPool, type StartedPool } from '../start-pool.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { chooseRenderer } from '../choose-renderer.js';
import { renderReportHtml } from '../report-html.js';
import { exitCodeForSignal, onProcessSignal } from '../signals.js';
import type { TerminationSignal } from '../io.js';
import { parseVars } from '../vars.js';
import { requireOne } from './require-one.js';

export const run: Command = {
  name: 'run',
  summary: 'run a pipeline',
  usage: `Usage: weft run <pipeline> [options]

Options:
  --var KEY=VALUE    set an input (repeatable); typed by the input's declared type
  --concurrency N    most tasks running at once
  --sequential       one task at a time, in dependency order
  --keep-going       after a failure, keep starting tasks that do not depend on it
  --dry-run          print each task with its rendered \`with\` instead of running it
  --json             print the run report (JSON) on stdout and nothing else; progress on stderr
  --no-cache         do not read or write the llm response cache
  --resume [RUN]     reuse what succeeded in run RUN (default: the latest run of this pipeline)
  --report FILE      also write the run report as a self-contained HTML page
  --output MODE      live (default on a terminal): running tasks and their latest line;
                     prefixed (default elsewhere): every log line as it comes, as [task] line;
                     grouped: each task's lines in one block when it ends; quiet: the summary only
  --queue URL        run the attempts on \`weft worker\` processes through Redis (redis://HOST:PORT);
                     default: \`queue:\` in weft.config.yaml, else this machine
  --dir DIR          the pipelines folder
  --verbose          live: stream every log line above the view; stacks for internal errors

Exit codes: 0 success, 1 a task failed, 2 invalid pipeline or input, 130 SIGINT, 143 SIGTERM.`,
  flags: {
    var: { type: 'string', multiple: true },
    concurrency: { type: 'string', short: 'c' },
    sequential: { type: 'boolean' },
    'keep-going': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    resume: { type: 'string', optionalValue: true },
    report: { type: 'string' },
    output: { type: 'string', short: 'o' },
    queue: { type: 'string' },
  },
  async run(args, ctx) {
    const started = await startPool(ctx.cwd, args.values['dry-run'] === true, stringFlag(args.values, 'queue'));
    try {
      return await runWith(args, ctx, started);
    } finally {
      await started.pool?.destroy();
    }
  },
};

async function runWith({ values, positionals }: ParsedArgs, ctx: CommandContext, started: StartedPool): Promise<number> {
  const concurrency = positiveIntFlag(values, 'concurrency');
  const { pipeline, loaded } = await loadOrThrow(requireOne(positionals, 'run'), { cwd: ctx.cwd, dir: ctx.dir });
  // On a queue the pool needs the pipeline (its project names the queue); Redis unreachable is
  // exit 2 before anything runs. Imported only then: a plain run never loads bullmq.
  const queuePool = started.queue ? await (await import('../../pool/queue.js')).createQueuePool({ url: started.queue, pipeline }) : undefined;
  try {
    return await runOn(queuePool ?? started.pool, { values, positionals }, ctx, { pipeline, loaded, concurrency });
  } finally {
    await queuePool?.destroy();
  }
}

type Loaded = Awaited<ReturnType<typeof loadOrThrow>>;

async function runOn(
  pool: ExecutorPool | undefined,
  { values }: ParsedArgs,
  ctx: CommandContext,
  { pipeline, loaded, concurrency }: Loaded & { concurrency: number | undefined },
): Promise<number> {
  const inputs = parseVars((values.var as string[] | undefined) ?? [], pipeline.inputs);
  const json = values.json === true;
  const dryRun = values['dry-run'] === true;
  const htmlFile = stringFlag(values, 'report');
  const hash = loaded.sourceHash;
  const inputsHash = hashInputs(inputs);
  const resumeFlag = stringFlag(values, 'resume');
  // Bare --resume arrives as '': the latest run of this pipeline.
  const resume = resumeFlag === undefined ? undefined : await findRun(pipeline.root, pipeline.name, resumeFlag || undefined);
  const renderer = chooseRenderer(ctx, stringFlag(values, 'output'), { json, dryRun });
  if (resume && resume.hash !== hash) {
    renderer.onEvent({
      type: 'warning',
      message: `${resume.file} (or a template, partial or config file it uses) changed since run ${resume.report.runId}; tasks that succeeded then are reused all the same`,
    });
  }
  if (resume && resume.inputsHash !== inputsHash) {
    renderer.onEvent({
      type: 'warning',
      message: `inputs differ from run ${resume.report.runId}; tasks that succeeded then are reused all the same`,
    });
  }

  const controller = new AbortController();
  let received: TerminationSignal | undefined;
  const off = (ctx.io.onSignal ?? onProcessSignal)((signal) => {
    received = signal;
    controller.abort(new WeftError('TASK_CANCELLED', `interrupted by ${signal}`));
  });
  let report: RunReport | undefined;
  try {
    report = await runPipeline(pipeline, {
      loaded,
      inputs,
      concurrency,
      sequential: values.sequential === true,
      keepGoing: values['keep-going'] === true,
      dryRun,
      resume: resume?.report,
      noCache: values['no-cache'] === true,
      signal: controller.signal,
      env: ctx.io.env,
      onEvent: (event) => renderer.onEvent(event),
      ...(pool ? { pool } : {}),
    });
  } finally {
    off();
    renderer.finish(report);
  }
  // A dry run ran nothing, so there is nothing a later run could resume from it.
  if (!dryRun) await keepRun(ctx, pipeline, { hash, inputsHash }, report);
  const reportCode = htmlFile === undefined ? EXIT.ok : await writeHtmlReport(ctx, htmlFile, report);
  if (json) ctx.print.out(JSON.stringify(report, null, 2));
  if (received) return exitCodeForSignal(received);
  // A run cancelled by anything but a signal (a budget, the engine) is a failure too.
  if (report.status !== 'success') return EXIT.taskFailed;
  return reportCode;
}

/** Save the (masked) report for `--resume`; a run is not failed by a folder it cannot write. */
async function keepRun(
  ctx: CommandContext,
  pipeline: Pipeline,
  hashes: { hash: string; inputsHash: string },
  report: RunReport,
): Promise<void> {
  try {
    await saveRun(pipeline.root, { pipeline: pipeline.name, file: path.relative(pipeline.root, pipeline.file), ...hashes, report });
  } catch (error) {
    ctx.print.err(`weft: warning: could not save run ${report.runId} for --resume: ${toErrorData(error).message}`);
  }
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
