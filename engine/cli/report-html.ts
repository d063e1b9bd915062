// `weft run --report FILE.html`, `weft runs report`: one self-contained page (inline CSS, one
// inline script allowed by its hash, no external assets) that can be mailed or attached to a CI
// job. Every piece of text from the run is escaped in markup, and reaches the script only as
// JSON data that it writes with textContent.
import { createHash } from 'node:crypto';
import type { AttemptRecord, OutputTail, RunReport, TaskResult } from '../types.js';
import { formatDuration } from './format-duration.js';
import { countResults } from './render-lines.js';
import { baseTaskId, findCriticalPath, timesOf } from './report-html/critical-path.js';
import { PAGE_CSS } from './report-html/css.js';
import { capEnd, outputBlocks, type TextBlock } from './report-html/output-text.js';
import { PAGE_SCRIPT } from './report-html/page-script.js';

const STATUSES = new Set(['success', 'up-to-date', 'failed', 'skipped', 'cancelled']);
/** Tasks whose failures are written out in full in the Failures section; the rest are a click away. */
const MAX_FAILURES = 50;
/** Lanes per content-visibility chunk. */
const CHUNK = 200;

/**
 * Escape text for HTML element content and quoted attribute values.
 * @example escapeHtml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const SCRIPT_HASH = `sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}`;

type Entry = { i: number; id: string; result: TaskResult };

/**
 * The run report as an HTML page: header, failures with their output, a timeline with one
 * segment per attempt and the critical path marked, a detail view per task (its attempts, errors,
 * logs and output as preformatted text, its needs and dependents), usage by model, outputs.
 * Takes the masked report runPipeline returns, so secrets are already `***`.
 * @example await writeFileAtomic('out/run.html', renderReportHtml(report))
 */
export function renderReportHtml(report: RunReport): string {
  const e = escapeHtml;
  const entries: Entry[] = Object.entries(report.tasks).map(([id, result], i) => ({ i, id, result }));
  const critical = findCriticalPath(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`weft: ${report.pipeline} ${report.status}`)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>${e(report.pipeline)} <span class="badge ${statusClass(report.status)}">${e(report.status)}</span></h1>
${facts(report, entries.length, critical)}
<h2>Failures</h2>
${failures(entries)}
<h2>Timeline</h2>
<p class="legend"><span><i class="swatch-success"></i>attempt that succeeded</span><span><i class="swatch-failed"></i>attempt that failed</span><span>◆ critical path</span><span>select a task for its attempts, logs and output; its needs turn yellow, its dependents blue</span></p>
<div class="layout">
${timeline(report, entries, new Set(critical))}
<aside id="detail" hidden></aside>
</div>
<h2>Usage</h2>
${usageTable(report)}
<h2>Outputs</h2>
${blocks(outputBlocks(Object.keys(report.outputs ?? {}).length ? report.outputs : undefined)) || '<p class="none">none</p>'}
<script type="application/json" id="weft-data">${scriptJson(pageData(report, entries))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function facts(report: RunReport, taskCount: number, critical: string[]): string {
  const counts = countResults(report);
  const byStatus = (['success', 'up-to-date', 'failed', 'skipped', 'cancelled'] as const).filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  if (counts.tolerated.length) byStatus.push(`${counts.tolerated.length} failed and tolerated`);
  const list: Array<[string, string]> = [
    ['run', report.runId],
    ['status', report.status],
    ['started', new Date(report.startedAt).toISOString()],
    ['duration', formatDuration(report.durationMs)],
    ['tasks', `${taskCount}${byStatus.length ? ` (${byStatus.join(', ')})` : ''}`],
  ];
  if (critical.length) list.push(['critical path', critical.join(' → ')]);
  if (report.usage?.totalTokens) list.push(['usage', `${report.usage.totalTokens} tokens, $${Number(report.usage.costUsd).toFixed(4)}`]);
  if (report.resumedFrom) list.push(['resumed from', report.resumedFrom]);
  if (report.error) list.push(['error', `${report.error.code}: ${report.error.message}`]);
  return `<dl>${list.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function logOf(result: TaskResult): AttemptRecord[] {
  return 'attemptLog' in result && Array.isArray(result.attemptLog) ? result.attemptLog : [];
}

/** Each failed attempt (of a failed task, or a retried one) with its error and kept output. */
function failures(entries: Entry[]): string {
  const failing = entries.filter(({ result }) => result.status === 'failed' || logOf(result).some((a) => a.status === 'failed'));
  if (!failing.length) return '<p class="none">none</p>';
  const e = escapeHtml;
  const sections = failing.slice(0, MAX_FAILURES).map(({ i, id, result }) => {
    const tolerated = result.status === 'failed' && result.tolerated;
    const failed = logOf(result).filter((a) => a.status === 'failed');
    const body = failed.length
      ? failed.map((a) => `<h4>attempt ${a.attempt} of ${result.attempts}: ${e(errorText(a.error))}</h4>${tailBlocks(a)}`).join('\n')
      : result.status === 'failed'
        ? `<h4>${e(errorText(result.error))}</h4>`
        : '';
    const head = `<a href="#detail" data-select="${i}">${e(id)}</a> <span class="badge ${statusClass(result.status)}">${e(result.status)}</span>${tolerated ? ' (tolerated: continueOnError)' : ''}`;
    return `<section class="failure${tolerated ? ' tolerated' : ''}"><h3>${head}</h3>\n${body}</section>`;
  });
  if (failing.length > MAX_FAILURES) sections.push(`<p class="none">… ${failing.length - MAX_FAILURES} more tasks with failures: select them in the timeline</p>`);
  return sections.join('\n');
}

function errorText(error: { code?: string; message?: string } | undefined): string {
  return error ? `${error.code ?? 'ERROR'}: ${error.message ?? ''}` : 'failed';
}

function tailBlocks(a: AttemptRecord): string {
  const parts: TextBlock[] = [];
  if (a.stdout?.text) parts.push({ label: `stdout${droppedNote(a.stdout)}`, text: capEnd(a.stdout.text) });
  if (a.stderr?.text) parts.push({ label: `stderr${droppedNote(a.stderr)}`, text: capEnd(a.stderr.text) });
  return blocks(parts) || '<p class="none">no output</p>';
}

function droppedNote(tail: OutputTail): string {
  return tail.droppedBytes > 0 ? ` (the last 64 KiB; ${tail.droppedBytes} earlier bytes not kept)` : '';
}

function blocks(list: TextBlock[]): string {
  return list.map((b) => `<h4>${escapeHtml(b.label)}</h4><pre>${escapeHtml(b.text)}</pre>`).join('\n');
}

/** One lane per task, by start time: status, attempts, duration, and a segment per attempt. */
function timeline(report: RunReport, entries: Entry[], critical: Set<string>): string {
  if (!entries.length) return '<div id="timeline" class="timeline"><p class="none">no task ran</p></div>';
  const span = Math.max(1, report.endedAt - report.startedAt);
  const pct = (ms: number) => Math.min(100, Math.max(0, (ms / span) * 100));
  const ordered = [...entries].sort((a, b) => (timesOf(a.result)?.startedAt ?? Infinity) - (timesOf(b.result)?.startedAt ?? Infinity) || a.i - b.i);
  const lanes = ordered.map(({ i, id, result }) => {
    const times = timesOf(result);
    const attempts = logOf(result);
    const spans = attempts.length
      ? attempts.map((a) => ({ from: a.startedAt, to: a.endedAt, status: a.status, title: `attempt ${a.attempt}: ${a.status}${a.error ? `: ${a.error.message}` : ''}` }))
      : times ? [{ from: times.startedAt, to: times.endedAt, status: result.status, title: result.status }] : [];
    const segs = spans.map((s) => {
      const left = pct(s.from - report.startedAt);
      const width = Math.min(pct(s.to - s.from), 100 - left);
      const title = `${id} ${s.title}, +${formatDuration(Math.max(0, s.from - report.startedAt))}, ${formatDuration(s.to - s.from)}`;
      return `<span class="seg ${statusClass(s.status)}" style="left:${left.toFixed(2)}%;width:${Math.max(0, width).toFixed(2)}%" title="${escapeHtml(title)}"></span>`;
    });
    const duration = 'durationMs' in result && typeof result.durationMs === 'number' ? formatDuration(result.durationMs) : '';
    const st = statusClass(result.status);
    return `<div class="lane${critical.has(id) ? ' crit' : ''}" data-i="${i}" tabindex="0"><span class="label" title="${escapeHtml(id)}">${escapeHtml(id)}</span><span class="st-${st}"${result.status === 'success' ? '' : ` title="${escapeHtml(noteOf(result))}"`}>${escapeHtml(result.status)}</span><span>${escapeHtml(String(result.attempts))}</span><span>${escapeHtml(duration)}</span><span class="track">${segs.join('')}</span></div>`;
  });
  // Sorted by start for the eye; data-i is the task's index in the script's data.
  const chunks: string[] = [];
  for (let k = 0; k < lanes.length; k += CHUNK) chunks.push(`<div class="chunk">\n${lanes.slice(k, k + CHUNK).join('\n')}\n</div>`);
  return `<div id="timeline" class="timeline">\n${chunks.join('\n')}\n<div class="scale"><span>0</span><span>${escapeHtml(formatDuration(span))}</span></div>\n</div>`;
}

/** What the script shows on selection, per task, in report order. */
function pageData(report: RunReport, entries: Entry[]) {
  return {
    needs: report.needs ?? {},
    tasks: entries.map(({ id, result }) => ({
      id,
      base: baseTaskId(id),
      status: statusClass(result.status),
      attempts: result.attempts,
      note: noteOf(result),
      attemptLog: logOf(result).map((a) => ({
        n: a.attempt,
        status: statusClass(a.status),
        took: formatDuration(a.endedAt - a.startedAt),
        error: a.error ? errorText(a.error) : '',
        stdout: a.stdout?.text ? { text: capEnd(a.stdout.text), dropped: droppedNote(a.stdout) } : undefined,
        stderr: a.stderr?.text ? { text: capEnd(a.stderr.text), dropped: droppedNote(a.stderr) } : undefined,
      })),
      output: outputBlocks('output' in result ? result.output : undefined),
    })),
  };
}

function noteOf(r: TaskResult): string {
  if (r.status === 'failed') return `${errorText(r.error)}${r.tolerated ? ' (tolerated: continueOnError)' : ''}`;
  if (r.status === 'skipped') return `skipped (${r.reason})`;
  if (r.status === 'cancelled') return r.reason ?? '';
  if (r.status === 'up-to-date') return 'up to date: output of its last success';
  return r.resumed ? 'resumed: output of the earlier run' : '';
}

// JSON inside <script>: `<` escaped, so no text can close the element or open a comment.
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function usageTable(report: RunReport): string {
  const e = escapeHtml;
  const usage = report.usage;
  const models = Object.entries(usage?.byModel ?? {});
  if (!models.length) return '<p class="none">no tokens spent</p>';
  const rows = models.map(
    ([model, u]) =>
      `<tr><td>${e(model)}</td><td class="num">${e(String(u.inputTokens))}</td><td class="num">${e(String(u.outputTokens))}</td><td class="num">${e(`$${Number(u.costUsd).toFixed(4)}`)}</td></tr>`,
  );
  return `<table><thead><tr><th>model</th><th>input tokens</th><th>output tokens</th><th>cost</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
<tfoot><tr><td>total</td><td class="num" colspan="2">${e(`${usage.totalTokens} tokens`)}</td><td class="num">${e(`$${Number(usage.costUsd).toFixed(4)}`)}</td></tr></tfoot></table>`;
}

// A report read back from disk may hold any status string: only known ones become class names.
function statusClass(status: string): string {
  return STATUSES.has(status) ? status : 'unknown';
}
