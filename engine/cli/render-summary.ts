import type { RunReport, TaskResult } from '../types.js';
import { formatDuration } from './format-duration.js';
import { finalLine, trailerLines } from './render-lines.js';
import { failureLines } from './render-failures.js';
import { createStyle, type Style } from './style.js';

/** Rows in the summary table before "… N more": a 10,000-task run should not scroll for minutes. */
const maxRows = 20;

/**
 * The end-of-run table: status, attempts and duration per task, slowest first (failures always
 * shown), then tokens and cost by model when any were spent.
 * @example formatSummary(report).join('\n')
 * // task   status   attempts  duration
 * // build  success  1         1.2s
 */
export function formatSummary(report: RunReport, style: Style = createStyle(false)): string[] {
  const entries = Object.entries(report.tasks).sort(([, a], [, b]) => durationOf(b) - durationOf(a));
  const failed = entries.filter(([, r]) => r.status === 'failed');
  const shown = [...failed, ...entries.filter(([, r]) => r.status !== 'failed')].slice(0, Math.max(maxRows, failed.length));
  shown.sort(([, a], [, b]) => durationOf(b) - durationOf(a));
  const rows = shown.map(([id, r]) => [id, r.status, String(r.attempts), 'durationMs' in r && r.durationMs !== undefined ? formatDuration(r.durationMs) : '-']);
  const lines = table(['task', 'status', 'attempts', 'duration'], rows, (cell, col) =>
    col === 1 ? colorStatus(cell as TaskResult['status'], style) : cell,
  );
  if (entries.length > shown.length) lines.push(style.dim(`… ${entries.length - shown.length} more tasks`));
  lines.push(...usageLines(report));
  return lines;
}

function durationOf(r: TaskResult): number {
  return 'durationMs' in r && typeof r.durationMs === 'number' ? r.durationMs : -1;
}

function colorStatus(status: TaskResult['status'], style: Style): string {
  if (status === 'success') return style.green(status);
  if (status === 'failed') return style.red(status);
  if (status === 'cancelled') return style.yellow(status);
  return style.dim(status);
}

/** Tokens and cost by model; nothing when the run spent none. */
export function usageLines(report: RunReport): string[] {
  const usage = report.usage;
  if (!usage || (usage.totalTokens === 0 && usage.costUsd === 0)) return [];
  const rows = Object.entries(usage.byModel).map(([model, u]) => [
    model,
    String(u.inputTokens),
    String(u.outputTokens),
    `$${u.costUsd.toFixed(4)}`,
  ]);
  return [
    '',
    ...table(['model', 'input tokens', 'output tokens', 'cost'], rows),
    `total: ${usage.totalTokens} tokens, $${usage.costUsd.toFixed(4)}`,
  ];
}

/**
 * The closing lines of a run on a terminal (and of `weft runs show`): the table, the failures
 * with their output, the outputs, and the final line.
 */
export function closingLines(report: RunReport, style: Style = createStyle(false)): string[] {
  return [...formatSummary(report, style), ...failureLines(report, style), ...trailerLines(report), '', finalLine(report, style)];
}

// Pads before styling, so ANSI codes do not skew the columns.
export function table(head: string[], rows: string[][], styleCell: (cell: string, col: number) => string = (c) => c): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], styled: boolean) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return styled ? padded.replace(c, styleCell(c, i)) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(head, false), ...rows.map((r) => line(r, true))];
}
