// `weft run --report FILE.html`: one self-contained page (inline CSS, no scripts, no external
// assets) that can be mailed or attached to a CI job. Every piece of text is escaped: task
// output and error messages can hold anything, markup included.
import type { RunReport, TaskResult } from '../types.js';
import { formatDuration } from './format-duration.js';

/** Characters of one task's output shown in the page; a huge stdout should not make a huge page. */
const MAX_OUTPUT_CHARS = 20_000;

const STATUSES = new Set(['success', 'failed', 'skipped', 'cancelled']);

/**
 * Escape text for HTML element content and quoted attribute values.
 * @example escapeHtml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The run report as an HTML page: header, task table, timeline, usage by model, outputs.
 * Takes the masked report runPipeline returns, so secrets are already `***`.
 * @example await writeFileAtomic('out/run.html', renderReportHtml(report))
 */
export function renderReportHtml(report: RunReport): string {
  const e = escapeHtml;
  const entries = Object.entries(report.tasks);
  const status = statusClass(report.status);
  const facts: Array<[string, string]> = [
    ['run', report.runId],
    ['status', report.status],
    ['started', new Date(report.startedAt).toISOString()],
    ['duration', formatDuration(report.durationMs)],
    ['tasks', String(entries.length)],
  ];
  if (report.resumedFrom) facts.push(['resumed from', report.resumedFrom]);
  if (report.error) facts.push(['error', `${report.error.code}: ${report.error.message}`]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`weft: ${report.pipeline} ${report.status}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${e(report.pipeline)} <span class="badge ${status}">${e(report.status)}</span></h1>
<dl>${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>
<h2>Tasks</h2>
${taskTable(entries)}
<h2>Timeline</h2>
${timeline(report, entries)}
<h2>Usage</h2>
${usageTable(report)}
<h2>Outputs</h2>
${Object.keys(report.outputs ?? {}).length ? `<pre>${e(json(report.outputs))}</pre>` : '<p class="none">none</p>'}
</body>
</html>
`;
}

function taskTable(entries: Array<[string, TaskResult]>): string {
  const e = escapeHtml;
  const rows = entries.map(([id, r]) => {
    const duration = 'durationMs' in r && typeof r.durationMs === 'number' ? formatDuration(r.durationMs) : '';
    const note =
      r.status === 'failed'
        ? `${r.error.code}: ${r.error.message}`
        : r.status === 'skipped'
          ? `skipped (${r.reason})`
          : r.status === 'cancelled'
            ? (r.reason ?? '')
            : r.resumed
              ? 'resumed: output of the earlier run'
              : '';
    const output = 'output' in r && r.output !== undefined ? outputDetails(r.output) : '';
    return `<tr><td class="id">${e(id)}</td><td><span class="badge ${statusClass(r.status)}">${e(r.status)}</span></td><td class="num">${e(String(r.attempts))}</td><td class="num">${e(duration)}</td><td>${e(note)}${output}</td></tr>`;
  });
  return `<table><thead><tr><th>task</th><th>status</th><th>attempts</th><th>duration</th><th>error / note</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

function outputDetails(output: unknown): string {
  let text = json(output);
  if (text.length > MAX_OUTPUT_CHARS) text = `${text.slice(0, MAX_OUTPUT_CHARS)}\n… ${text.length - MAX_OUTPUT_CHARS} more characters`;
  return `<details><summary>output</summary><pre>${escapeHtml(text)}</pre></details>`;
}

// Bars placed by start and end relative to the run's start, as percentages of the run's length.
function timeline(report: RunReport, entries: Array<[string, TaskResult]>): string {
  const span = Math.max(1, report.endedAt - report.startedAt);
  const timed = entries.filter(
    ([, r]) => 'startedAt' in r && typeof r.startedAt === 'number' && typeof r.endedAt === 'number',
  ) as Array<[string, TaskResult & { startedAt: number; endedAt: number }]>;
  if (!timed.length) return '<p class="none">no task ran</p>';
  const pct = (ms: number) => Math.min(100, Math.max(0, (ms / span) * 100)).toFixed(2);
  const rows = timed.map(([id, r]) => {
    const left = pct(r.startedAt - report.startedAt);
    const width = Math.min(Number(pct(r.endedAt - r.startedAt)), 100 - Number(left));
    const title = `${id}: +${formatDuration(Math.max(0, r.startedAt - report.startedAt))}, ${formatDuration(r.endedAt - r.startedAt)}`;
    return `<div class="lane"><span class="label">${escapeHtml(id)}</span><span class="track"><span class="bar ${statusClass(r.status)}" style="left:${left}%;width:${Math.max(0, width).toFixed(2)}%" title="${escapeHtml(title)}"></span></span></div>`;
  });
  return `<div class="timeline">\n${rows.join('\n')}\n<div class="lane scale"><span class="label"></span><span class="track"><span>0</span><span>${escapeHtml(formatDuration(span))}</span></span></div>\n</div>`;
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

function json(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d1f21}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#666}dd{margin:0;font-family:ui-monospace,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.id{font-family:ui-monospace,monospace;white-space:nowrap}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:30rem;white-space:pre-wrap;word-break:break-word}
.badge{border-radius:.6rem;padding:.05rem .5rem;font-size:.8rem;color:#fff;background:#888}
.success{background:#2e7d32}.failed{background:#c62828}.cancelled{background:#ef6c00}.skipped{background:#9e9e9e}.unknown{background:#555}
.timeline{font-family:ui-monospace,monospace;font-size:12px}
.lane{display:flex;align-items:center;height:1.3rem}.label{width:14rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:.5rem}
.track{position:relative;flex:1;height:.8rem;background:#f3f3f3}.bar{position:absolute;top:0;bottom:0;min-width:2px}
.scale .track{background:none;display:flex;justify-content:space-between;color:#666}
.none{color:#666}
`;
