import type { AttemptRecord, OutputTail, RunReport, TaskResult } from '../types.js';
import { excerptLines } from './failure-excerpt.js';
import { createStyle, type Style } from './style.js';

/** Failed tasks whose output the summary shows; the rest are counted (the report has them all). */
const MAX_TASKS = 10;

/**
 * The closing section on failures: for each failed attempt (of a failed task, or a retried one
 * that succeeded in the end) its error and an excerpt of its output.
 * @example failureLines(report) // ['', 'failures:', '✗ test attempt 1/1: exit code 1', '    not ok 3 - slug', …]
 */
export function failureLines(report: RunReport, style: Style = createStyle(false)): string[] {
  const entries = Object.entries(report.tasks).filter(([, r]) => r.status === 'failed' || failedAttempts(r).length > 0);
  if (entries.length === 0) return [];
  const lines = ['', style.bold('failures:')];
  for (const [id, result] of entries.slice(0, MAX_TASKS)) lines.push(...taskFailureLines(id, result, style));
  if (entries.length > MAX_TASKS) {
    lines.push(style.dim(`… ${entries.length - MAX_TASKS} more tasks with failures: weft runs show ${report.runId} --json has them all`));
  }
  return lines;
}

function failedAttempts(r: TaskResult): AttemptRecord[] {
  return 'attemptLog' in r && r.attemptLog ? r.attemptLog.filter((a) => a.status === 'failed') : [];
}

function taskFailureLines(id: string, result: TaskResult, style: Style): string[] {
  const attempts = failedAttempts(result);
  const lines: string[] = [];
  const tolerated = result.status === 'failed' && result.tolerated ? style.dim(' (tolerated: continueOnError)') : '';
  if (attempts.length === 0 && result.status === 'failed') {
    return [`${style.red('✗')} ${id}: ${result.error.message}${tolerated}`];
  }
  for (const a of attempts) {
    const of = result.attempts > 1 || attempts.length > 1 ? ` attempt ${a.attempt}/${result.attempts}` : '';
    lines.push(`${style.red('✗')} ${id}${of}: ${a.error?.message ?? 'failed'}${tolerated}`);
    lines.push(...streamLines('stdout', a.stdout, a.stderr !== undefined && a.stderr.text !== '', style));
    lines.push(...streamLines('stderr', a.stderr, false, style));
  }
  return lines;
}

// A stream's excerpt, indented; labelled only when both streams have something to show.
function streamLines(name: string, tail: OutputTail | undefined, labelled: boolean, style: Style): string[] {
  if (!tail || tail.text === '') return [];
  const lines: string[] = [];
  if (labelled || name === 'stderr') lines.push(style.dim(`  ${name}:`));
  if (tail.droppedBytes > 0) lines.push(style.dim(`    … ${tail.droppedBytes} earlier bytes not kept`));
  for (const line of excerptLines(tail.text)) lines.push(line.startsWith('… ') ? style.dim(`    ${line}`) : `    ${line}`);
  return lines;
}
