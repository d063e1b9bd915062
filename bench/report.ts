// Report: the HTML page of a 10,000-task run (engine/cli/report-html.ts) against what every run
// writes anyway, the same report as indented JSON (--json, .weft/runs). Each task has printed a
// line and has its attempt log; one in a hundred failed once and was retried.
import { renderReportHtml } from '../engine/cli/report-html.js';
import type { RunReport, TaskResult } from '../engine/types.js';
import { registerSection } from './harness.js';

const COUNT = 10_000;

function wideReport(): RunReport {
  const start = 1_700_000_000_000;
  const tasks: Record<string, TaskResult> = {};
  for (let i = 0; i < COUNT; i++) {
    const at = start + (i % 500) * 2;
    const retried = i % 100 === 0;
    const line = { text: `checked file ${i}\n`, droppedBytes: 0 };
    tasks[`check[${i}]`] = {
      status: 'success',
      attempts: retried ? 2 : 1,
      startedAt: at,
      endedAt: at + 9,
      durationMs: 9,
      output: { exitCode: 0, stdout: line.text, stderr: '' },
      attemptLog: [
        ...(retried ? [{ attempt: 1, startedAt: at, endedAt: at + 4, status: 'failed' as const, error: { code: 'TASK_FAILED' as const, message: 'exit code 1' }, stdout: line }] : []),
        { attempt: retried ? 2 : 1, startedAt: at + 5, endedAt: at + 9, status: 'success' as const, stdout: line },
      ],
    };
  }
  return {
    pipeline: 'wide', runId: 'bench', status: 'success', startedAt: start, endedAt: start + 1010, durationMs: 1010,
    tasks, outputs: {}, usage: { byModel: {}, totalTokens: 0, costUsd: 0 }, needs: {},
  };
}

registerSection({
  name: 'report',
  description: 'the HTML page of a 10,000-task run vs the same report as JSON (baseline)',
  async run(ctx) {
    const report = wideReport();
    const json = await ctx.time(() => JSON.stringify(report, null, 2));
    const html = await ctx.time(() => renderReportHtml(report));
    ctx.row({ label: 'html page: 10k tasks', ms: html, baselineMs: json, note: 'vs JSON.stringify of the report' });
    const size = (s: string) => `${(Buffer.byteLength(s) / 1e6).toFixed(1)} MB`;
    ctx.line(`page ${size(renderReportHtml(report))}, JSON ${size(JSON.stringify(report, null, 2))}`);
  },
});
