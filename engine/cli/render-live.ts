import type { RunEvent, RunReport } from '../types.js';
import { formatDuration } from './format-duration.js';
import type { OutputStream } from './io.js';
import { createProgress } from './progress.js';
import type { Renderer } from './renderer.js';
import { eventLines, startLine } from './render-lines.js';
import { safeLine } from './safe-text.js';
import { closingLines } from './render-summary.js';
import { createStyle, type Style } from './style.js';

/** At most ~10 redraws a second: faster only burns the CPU the tasks need. */
const frameMs = 100;
/** Lines kept per task, shown under a failure as it happens (the closing summary shows more). */
const tailLines = 5;
/** Running tasks listed in the block before "… N more running". */
const shownRunning = 15;

// ANSI: move to the start of the line n lines up, then erase to the end of the screen.
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[0J` : '\r\x1b[0J');

export type LiveOptions = { style?: Style; verbose?: boolean; now?: () => number };

/**
 * `--output live`, the default on a terminal: the run id first, finished tasks scroll by as
 * permanent lines (with every log line too under `verbose`); below them a block of running tasks
 * with elapsed time and their latest line, and `done/total`. Ends with a summary table.
 * @example const r = createLiveRenderer(process.stdout); runPipeline(p, { onEvent: r.onEvent })
 */
export function createLiveRenderer(stream: OutputStream, options: LiveOptions = {}): Renderer {
  const { style = createStyle(true), verbose = false, now = Date.now } = options;
  const running = new Map<string, { since: number; last?: string }>();
  const tails = new Map<string, string[]>();
  const progress = createProgress();
  let pending: string[] = [];
  let drawn = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const block = (): string[] => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    const lines = [...running].slice(0, shownRunning).map(([id, t]) => runningLine(id, t, width, style, now()));
    if (running.size > shownRunning) lines.push(style.dim(`  … ${running.size - shownRunning} more running`));
    const { done, total, failed, tolerated } = progress.state;
    const extra = [failed ? style.red(`${failed} failed`) : '', tolerated ? style.yellow(`${tolerated} tolerated`) : ''].filter(Boolean);
    lines.push(`${style.bold(`${done}/${total} done`)}${extra.length ? `, ${extra.join(', ')}` : ''}`);
    return lines;
  };

  const draw = () => {
    const next = block();
    stream.write(up(drawn) + [...pending, ...next].map((l) => `${l}\n`).join(''));
    pending = [];
    drawn = next.length;
  };

  return {
    onEvent(event: RunEvent) {
      progress.onEvent(event);
      switch (event.type) {
        case 'run:start':
          pending.push(startLine(event, style));
          draw();
          timer = setInterval(draw, frameMs);
          timer.unref?.();
          return;
        case 'task:start':
          running.set(event.id, { since: event.at });
          return;
        case 'task:log': {
          const t = running.get(event.id);
          const line = safeLine(event.line);
          if (t) t.last = line;
          if (verbose) pending.push(...eventLines(event, style));
          else keepTail(tails, event.id, line);
          return;
        }
        case 'task:end':
          running.delete(event.id);
          pending.push(...eventLines(event, style));
          if (event.result.status === 'failed') pending.push(...(tails.get(event.id) ?? []).map((l) => style.dim(`    ${l}`)));
          tails.delete(event.id);
          return;
        case 'task:retry':
          running.delete(event.id);
          pending.push(...eventLines(event, style));
          return;
        case 'warning':
          pending.push(...eventLines(event, style));
          return;
        default:
          return;
      }
    },
    finish(report?: RunReport) {
      if (timer) clearInterval(timer);
      running.clear();
      // One last frame, so the counter's final state (done = total) is drawn before it goes.
      draw();
      stream.write(up(drawn) + pending.map((l) => `${l}\n`).join(''));
      pending = [];
      drawn = 0;
      if (report) stream.write(`${['', ...closingLines(report, style)].join('\n')}\n`);
    },
  };
}

/** A running task's line: its id, how long it has run, and its latest output line where there is room. */
function runningLine(id: string, t: { since: number; last?: string }, width: number, style: ReturnType<typeof createStyle>, now: number): string {
  const took = formatDuration(now - t.since);
  const head = `  ${style.yellow('●')} ${id} ${style.dim(took)}`;
  const room = width - (6 + id.length + took.length) - 2;
  return t.last && room > 8 ? `${head}  ${style.dim(t.last.slice(0, room))}` : head;
}

/** The last lines of a task's output, shown under it if it fails. */
function keepTail(tails: Map<string, string[]>, id: string, line: string): void {
  const tail = tails.get(id) ?? [];
  tail.push(line);
  if (tail.length > tailLines) tail.shift();
  tails.set(id, tail);
}
