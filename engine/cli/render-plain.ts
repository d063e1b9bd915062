import type { RunEvent, RunReport } from '../types.js';
import type { OutputStream } from './io.js';
import type { Renderer } from './renderer.js';
import { eventLines, finalLine, startLine, trailerLines } from './render-lines.js';
import { failureLines } from './render-failures.js';
import { usageLines } from './render-summary.js';
import { createStyle, type Style } from './style.js';

/**
 * `--output prefixed`, the default off a terminal (logs, pipes, progress under --json): every
 * log line as it comes, with its task id, `[build] line`, then `✓ build 1.2s`, `✗ test exit code 1`,
 * retries and warnings.
 * @example const r = createPlainRenderer(process.stderr); runPipeline(p, { onEvent: r.onEvent })
 */
export function createPlainRenderer(stream: OutputStream, style: Style = createStyle(false)): Renderer {
  const write = (lines: string[]) => {
    if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
  };
  return {
    onEvent(event: RunEvent) {
      if (event.type === 'run:start') write([startLine(event, style)]);
      else write(eventLines(event, style));
    },
    finish(report?: RunReport) {
      if (report) write(plainClosingLines(report, style));
    },
  };
}

/** What every mode but live ends with: failures with their output, outputs, usage, the final line. */
export function plainClosingLines(report: RunReport, style: Style): string[] {
  return [...failureLines(report, style), ...trailerLines(report), ...usageLines(report), finalLine(report, style)];
}
