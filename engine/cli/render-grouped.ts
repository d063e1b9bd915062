import type { RunEvent, RunReport } from '../types.js';
import type { OutputStream } from './io.js';
import type { Renderer } from './renderer.js';
import { eventLines, startLine } from './render-lines.js';
import { safeLine } from './safe-text.js';
import { plainClosingLines } from './render-plain.js';
import { createStyle, type Style } from './style.js';

/**
 * `--output grouped`: a task's lines are held until it ends, then printed as one block under its
 * result line, so parallel tasks never interleave.
 * @example
 * // ✓ build 1.2s
 * //     compiled 12 files
 */
export function createGroupedRenderer(stream: OutputStream, style: Style = createStyle(false)): Renderer {
  const held = new Map<string, string[]>();
  const write = (lines: string[]) => {
    if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
  };
  const hold = (id: string, line: string) => {
    const lines = held.get(id) ?? [];
    lines.push(line);
    held.set(id, lines);
  };
  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case 'run:start':
          return write([startLine(event, style)]);
        case 'task:log':
          return hold(event.id, `    ${safeLine(event.line)}`);
        case 'task:retry':
          return eventLines(event, style).forEach((l) => hold(event.id, `    ${l}`));
        case 'task:end':
          write([...eventLines(event, style), ...(held.get(event.id) ?? [])]);
          held.delete(event.id);
          return;
        case 'warning':
          return write(eventLines(event, style));
        default:
          return;
      }
    },
    finish(report?: RunReport) {
      // Tasks that never ended (an interrupted run) still show what they printed.
      for (const [id, lines] of held) write([style.yellow(`… ${id} (did not end)`), ...lines]);
      held.clear();
      if (report) write(plainClosingLines(report, style));
    },
  };
}
