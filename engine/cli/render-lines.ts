import { yaml } from '../load/yaml-library.js';
import type { RunEvent, RunReport, TaskResult } from '../types.js';
import { formatDuration } from './format-duration.js';
import { createStyle, type Style } from './style.js';
import { safeLine } from './safe-text.js';

const plain = createStyle(false);

/**
 * The permanent line(s) an event leaves in the log, shared by the plain and the live view.
 * `task:start` leaves none: the live view shows running tasks, CI logs need only the outcome.
 * @example eventLines({ type: 'task:log', id: 'build', stream: 'stdout', line: 'ok' }) // ['[build] ok']
 */
export function eventLines(event: RunEvent, style: Style = plain): string[] {
  switch (event.type) {
    case 'task:log':
      return [`${style.dim(`[${event.id}]`)} ${safeLine(event.line)}`];
    case 'task:retry':
      return [
        style.yellow(`↻ ${event.id} attempt ${event.attempt + 1} in ${formatDuration(event.delayMs)}: ${event.error.message}`),
      ];
    case 'task:end':
      return resultLines(event.id, event.result, style);
    case 'warning':
      return [style.yellow(`! ${event.id ? `${event.id}: ` : ''}${event.message}`)];
    default:
      return [];
  }
}

/**
 * The first line of a run, naming its id (for `--resume`, `weft runs show`).
 * @example startLine(event) // '▶ hello (run 2026-11-28T07-00-00-abc123)'
 */
export function startLine(event: Extract<RunEvent, { type: 'run:start' }>, style: Style = plain): string {
  return `${style.bold('▶')} ${event.pipeline} ${style.dim(`(run ${event.runId})`)}`;
}

/** `✓ build 1.2s`, `✓ lint resumed`, `✗ test exit code 1`, `- docs skipped (upstream)`, or a dry-run listing. */
export function resultLines(id: string, result: TaskResult, style: Style = plain): string[] {
  switch (result.status) {
    case 'success':
      if (isDryRun(result.output)) return dryRunLines(id, result.output);
      // A task reused by --resume did not run: say so rather than show a 0ms duration.
      if (result.resumed) return [`${style.green('✓')} ${id} ${style.dim('resumed')}`];
      return [`${style.green('✓')} ${id} ${style.dim(formatDuration(result.durationMs))}`];
    case 'up-to-date':
      return [`${style.green('✓')} ${id} ${style.dim('up-to-date')}`];
    case 'failed':
      return [
        `${style.red('✗')} ${id} ${result.error.message}${result.attempts > 1 ? style.dim(` (after ${result.attempts} attempts)`) : ''}${result.tolerated ? style.dim(' (tolerated)') : ''}`,
      ];
    case 'skipped':
      return [style.dim(`- ${id} skipped (${result.reason})`)];
    case 'cancelled':
      return [style.yellow(`⊘ ${id} cancelled${result.reason ? ` (${result.reason})` : ''}`)];
  }
}

/** What a dry run reports per task (engine/run/attempts.ts): `command` is the executor's command field. */
type DryRunOutput = { dryRun: true; uses: string; with: Record<string, unknown>; command?: { field: string; text: string }; model?: string };

function isDryRun(output: unknown): output is DryRunOutput {
  return typeof output === 'object' && output !== null && (output as { dryRun?: unknown }).dryRun === true;
}

// Dry run: what would run. A shell command prints as `$ cmd`; anything else as indented YAML.
function dryRunLines(id: string, output: DryRunOutput): string[] {
  // An llm task names the model it would call: the one allocation chose, not only the alias.
  const lines = [`○ ${id} (${output.uses}${output.model ? `, model ${output.model}` : ''})`];
  const w = output.with ?? {};
  if (output.command) {
    const { field, text } = output.command;
    lines.push(...text.trimEnd().split('\n').map((l, i) => `    ${i === 0 ? '$ ' : '  '}${l}`));
    const rest = Object.fromEntries(Object.entries(w).filter(([k]) => k !== field));
    if (Object.keys(rest).length > 0) lines.push(...yamlLines(rest));
    return lines;
  }
  if (Object.keys(w).length > 0) lines.push(...yamlLines(w));
  return lines;
}

function yamlLines(value: unknown): string[] {
  return yaml.stringify(value, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `    ${l}`);
}

/**
 * The last line of a run: how it ended and what became of every one of its tasks. The counts add
 * up to the report's task count; tolerated failures (continueOnError) are counted apart and named.
 * @example finalLine(report) // '✗ ci failed in 3.0s: 1 failed, 2 skipped, 3 succeeded'
 * @example finalLine(report) // '✓ ci succeeded in 1.0s (3 tasks: 2 succeeded, 1 failed and tolerated: lint)'
 */
export function finalLine(report: RunReport, style: Style = plain): string {
  const counts = countResults(report);
  const took = formatDuration(report.durationMs);
  const total = Object.keys(report.tasks).length;
  const tolerated = counts.tolerated.length
    ? `${counts.tolerated.length} failed and tolerated: ${counts.tolerated.slice(0, 5).join(', ')}${counts.tolerated.length > 5 ? ', …' : ''}`
    : '';
  const parts = (['failed', 'cancelled', 'skipped', 'success', 'up-to-date'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s === 'success' ? 'succeeded' : s}`);
  if (tolerated) parts.push(tolerated);
  if (report.status === 'success') {
    const detail = counts.success === total ? '' : `: ${parts.join(', ')}`;
    return `${style.green('✓')} ${report.pipeline} succeeded in ${took} (${total} task${total === 1 ? '' : 's'}${detail})`;
  }
  const mark = report.status === 'failed' ? style.red('✗') : style.yellow('⊘');
  const why = report.error ? ` (${report.error.message})` : '';
  return `${mark} ${report.pipeline} ${report.status} in ${took}: ${parts.join(', ')}${why}`;
}

/** Tasks by outcome; a tolerated failure counts under `tolerated` (by id), not under `failed`. */
export function countResults(report: RunReport): Record<TaskResult['status'], number> & { tolerated: string[] } {
  const counts = { success: 0, 'up-to-date': 0, failed: 0, skipped: 0, cancelled: 0, tolerated: [] as string[] };
  for (const [id, result] of Object.entries(report.tasks)) {
    if (result.status === 'failed' && result.tolerated) counts.tolerated.push(id);
    else counts[result.status]++;
  }
  return counts;
}

/** `outputs:` and usage lines worth showing after any run. */
export function trailerLines(report: RunReport): string[] {
  const lines: string[] = [];
  const outputs = Object.entries(report.outputs ?? {});
  if (outputs.length > 0) {
    lines.push('outputs:');
    for (const [key, value] of outputs) lines.push(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return lines;
}
