import type { RunEvent, RunReport } from '../types.js';
import { formatDuration } from './format-duration.js';
import type { OutputStream } from './io.js';
import type { Renderer } from './renderer.js';
import { eventLines, finalLine, trailerLines } from './render-lines.js';
import { formatSummary } from './render-summary.js';
import { createStyle } from './style.js';

/** At most ~10 redraws a second: faster only burns the CPU the tasks need. */
const frameMs = 100;
/** Lines kept per task, shown under a failure. */
const tailLines = 5;

// ANSI: move to the start of the line n lines up, then erase to the end of the screen.
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[0J` : '\r\x1b[0J');

/**
 * The terminal view: finished tasks scroll by as permanent lines; below them a block of running
 * tasks with elapsed time and their last log line, and `done/total`. Ends with a summary table.
 * @example const r = createLiveRenderer(process.stdout); runPipeline(p, { onEvent: r.onEvent })
 */
export function createLiveRenderer(stream: OutputStream, now: () => number = Date.now): Renderer {
  const style = createStyle(true);
  const running = new Map<string, { since: number; last?: string }>();
  const tails = new Map<string, string[]>();
  let pending: string[] = [];
  let drawn = 0;
  let done = 0;
  let total = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const block = (): string[] => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const lines = [...running].map(([id, t]) => {
      const head = `  ${style.yellow('●')} ${id} ${style.dim(formatDuration(now() - t.since))}`;
      const visible = 6 + id.length + formatDuration(now() - t.since).length;
      const room = width - visible - 2;
      return t.last && room > 8 ? `${head}  ${style.dim(t.last.slice(0, room))}` : head;
    });
    const shownRunning = lines.slice(0, 15);
    if (lines.length > shownRunning.length) shownRunning.push(style.dim(`  … ${lines.length - shownRunning.length} more running`));
    // run:start counts declared tasks; forEach instances appear as they start.
    shownRunning.push(style.bold(`${done}/${Math.max(total, done + running.size)} done`));
    return shownRunning;
  };

  const draw = () => {
    const next = block();
    stream.write(up(drawn) + [...pending, ...next].map((l) => `${l}\n`).join(''));
    pending = [];
    drawn = next.length;
  };

  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case 'run:start':
          total = event.total;
          timer = setInterval(draw, frameMs);
          timer.unref?.();
          return;
        case 'task:start':
          running.set(event.id, { since: event.at });
          return;
        case 'task:log': {
          const t = running.get(event.id);
          if (t) t.last = event.line;
          const tail = tails.get(event.id) ?? [];
          tail.push(event.line);
          if (tail.length > tailLines) tail.shift();
          tails.set(event.id, tail);
          return;
        }
        case 'task:end':
          running.delete(event.id);
          done++;
          pending.push(...eventLines(event, style));
          if (event.result.status === 'failed') pending.push(...(tails.get(event.id) ?? []).map((l) => style.dim(`    ${l}`)));
          tails.delete(event.id);
          return;
        case 'task:retry':
        case 'warning':
          pending.push(...eventLines(event, style));
          return;
        case 'run:end':
          return;
      }
    },
    finish(report?: RunReport) {
      if (timer) clearInterval(timer);
      running.clear();
      stream.write(up(drawn) + pending.map((l) => `${l}\n`).join(''));
      pending = [];
      drawn = 0;
      if (!report) return;
      const lines = ['', ...formatSummary(report, style), ...trailerLines(report), '', finalLine(report, style)];
      stream.write(`${lines.join('\n')}\n`);
    },
  };
}
