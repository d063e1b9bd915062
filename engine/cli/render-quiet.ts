import type { RunReport } from '../types.js';
import type { OutputStream } from './io.js';
import type { Renderer } from './renderer.js';
import { plainClosingLines } from './render-plain.js';
import { createStyle, type Style } from './style.js';

/**
 * `--output quiet`: nothing while the run goes; at the end, the failures with their output, the
 * outputs, usage, and the final line.
 */
export function createQuietRenderer(stream: OutputStream, style: Style = createStyle(false)): Renderer {
  return {
    onEvent() {},
    finish(report?: RunReport) {
      if (report) stream.write(`${plainClosingLines(report, style).join('\n')}\n`);
    },
  };
}
