import type { RunEvent, RunReport } from '../types.js';
import type { OutputStream } from './io.js';
import type { Renderer } from './renderer.js';
import { eventLines, finalLine, trailerLines } from './render-lines.js';
import { usageLines } from './render-summary.js';

/**
 * Plain lines for logs and pipes (no TTY, NO_COLOR, or progress under --json):
 * `[build] line`, `✓ build 1.2s`, `✗ test exit code 1`, retries and warnings.
 * @example const r = createPlainRenderer(process.stderr); runPipeline(p, { onEvent: r.onEvent })
 */
export function createPlainRenderer(stream: OutputStream, options: { closingLines?: boolean } = {}): Renderer {
  const write = (lines: string[]) => {
    if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
  };
  return {
    onEvent(event: RunEvent) {
      // forEach instances are not known yet at run:start, so no task count here.
      if (event.type === 'run:start') write([`▶ ${event.pipeline} (run ${event.runId})`]);
      else write(eventLines(event));
    },
    finish(report?: RunReport) {
      if (!report || options.closingLines === false) return;
      write([...trailerLines(report), ...usageLines(report), finalLine(report)]);
    },
  };
}
