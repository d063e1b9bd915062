import path from 'node:path';
import { WeftError } from '../../errors.js';
import { loadConfig } from '../../load/config.js';
import { suggest } from '../../suggest.js';
import type { RunReport } from '../../types.js';
import { writeFileAtomic } from '../../write-file-atomic.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { formatDuration } from '../format-duration.js';
import { readKeptRun, readKeptRuns, type KeptRun } from '../kept-runs.js';
import { closingLines, table } from '../render-summary.js';
import { renderReportHtml } from '../report-html.js';
import { createStyle, colorEnabled } from '../style.js';

export const runs: Command = {
  name: 'runs',
  summary: 'the kept runs, newest first; show one, or write its HTML report',
  usage: `Usage: weft runs [PIPELINE] [--json]
       weft runs show RUN [--json]
       weft runs report RUN FILE.html

weft runs lists the kept runs (.weft/runs under the project root), newest first: id, pipeline,
status, start time, duration, tasks, tokens and cost; only PIPELINE's runs when it is given.
--json prints [{ id, pipeline, status, startedAt, durationMs, tasks, tokens, costUsd }].
weft runs show RUN prints a finished run's summary as it looked at the end (--json: its report).
weft runs report RUN FILE.html writes the run's HTML page.`,
  flags: { json: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    const root = (await loadConfig(ctx.cwd)).config.root;
    const [sub, ...rest] = positionals;
    if (sub === 'show') return showRun(root, rest, values.json === true, ctx);
    if (sub === 'report') return writeReport(root, rest, ctx);
    if (positionals.length > 1) throw new WeftError('USAGE', `weft runs takes at most one pipeline, got ${positionals.length}`);
    const all = await readKeptRuns(root);
    const kept = sub === undefined ? all : all.filter((r) => r.pipeline === sub);
    if (sub !== undefined && kept.length === 0) {
      const hint = suggest(sub, new Set(all.map((r) => r.pipeline)));
      throw new WeftError('USAGE', `no kept runs of "${sub}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    if (values.json) ctx.print.out(JSON.stringify(kept.map(summarize), null, 2));
    else for (const line of formatRuns(kept)) ctx.print.out(line);
    return EXIT.ok;
  },
};

/** One kept run as a row of `weft runs --json`. */
export function summarize(record: KeptRun) {
  const r = record.report;
  return {
    id: r.runId,
    pipeline: record.pipeline,
    status: r.status,
    startedAt: new Date(r.startedAt).toISOString(),
    durationMs: r.durationMs,
    tasks: Object.keys(r.tasks).length,
    tokens: r.usage?.totalTokens ?? 0,
    costUsd: r.usage?.costUsd ?? 0,
  };
}

/**
 * The table `weft runs` prints.
 * @example formatRuns(records)[0] // 'id  pipeline  status  started  duration  tasks  tokens  cost'
 */
export function formatRuns(records: KeptRun[]): string[] {
  if (records.length === 0) return ['no kept runs'];
  const rows = records.map((record) => {
    const s = summarize(record);
    return [s.id, s.pipeline, s.status, s.startedAt.slice(0, 19).replace('T', ' '), formatDuration(s.durationMs), String(s.tasks), String(s.tokens), `$${s.costUsd.toFixed(4)}`];
  });
  return table(['id', 'pipeline', 'status', 'started', 'duration', 'tasks', 'tokens', 'cost'], rows);
}

async function showRun(root: string, args: string[], json: boolean, ctx: CommandContext): Promise<number> {
  if (args.length !== 1) throw new WeftError('USAGE', 'weft runs show needs one run id');
  const report = await findReport(root, args[0]!);
  if (json) {
    ctx.print.out(JSON.stringify(report, null, 2));
    return EXIT.ok;
  }
  const style = createStyle(colorEnabled(ctx.io.env, ctx.io.isTTY === true));
  ctx.print.out(`${report.pipeline} (run ${report.runId}), started ${new Date(report.startedAt).toISOString()}`);
  ctx.print.out();
  for (const line of closingLines(report, style)) ctx.print.out(line);
  return EXIT.ok;
}

async function writeReport(root: string, args: string[], ctx: CommandContext): Promise<number> {
  if (args.length !== 2) throw new WeftError('USAGE', 'weft runs report needs a run id and a file: weft runs report RUN FILE.html');
  const report = await findReport(root, args[0]!);
  const file = path.resolve(ctx.cwd, args[1]!);
  try {
    await writeFileAtomic(file, renderReportHtml(report));
  } catch (error) {
    throw new WeftError('USAGE', `could not write ${args[1]}: ${(error as Error).message}`);
  }
  ctx.print.out(`wrote ${args[1]}`);
  return EXIT.ok;
}

async function findReport(root: string, runId: string): Promise<RunReport> {
  const record = await readKeptRun(root, runId);
  if (record) return record.report;
  const hint = suggest(runId, (await readKeptRuns(root)).map((r) => r.report.runId));
  throw new WeftError('USAGE', `no kept run "${runId}" in .weft/runs${hint ? ` (did you mean "${hint}"?)` : ''}`);
}
