// `weft run PIPELINE --watch`: run, then run again whenever a file under a task's `sources`
// changes. Each run re-checks every task, so only tasks made stale by the change run again, with
// the tasks that depend on them; tasks without sources reuse the previous run's output unless a
// need of theirs ran again. A change during a run is queued, never cancels it: the run finishes,
// then one more run starts (a burst of changes is one more run). Ctrl-C cancels the run in
// progress, kills what it started and exits 130.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { WeftError } from '../errors.js';
import type { Pipeline, RunReport } from '../types.js';
import { chooseRenderer } from './choose-renderer.js';
import type { CommandContext } from './command.js';
import type { TerminationSignal } from './io.js';
import { runOnce, runStore, type RunSettings } from './run-once.js';
import { exitCodeForSignal, onProcessSignal } from './signals.js';

/** Quiet time after the last change before the next run: an editor's save is several writes. */
const SETTLE_MS = 100;

/**
 * Run and watch until a signal; returns its exit code (130 for SIGINT).
 * @example return watchRuns(ctx, pipeline, settings, undefined)
 */
export async function watchRuns(ctx: CommandContext, pipeline: Pipeline, settings: RunSettings, output: string | undefined): Promise<number> {
  const folders = watchedFolders(pipeline);
  if (folders.length === 0) throw new WeftError('USAGE', `--watch: no task of this run of ${pipeline.name} declares sources to watch`);
  const controller = new AbortController();
  let received: TerminationSignal | undefined;
  let changed = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const off = (ctx.io.onSignal ?? onProcessSignal)((signal) => {
    received = signal;
    controller.abort(new WeftError('TASK_CANCELLED', `interrupted by ${signal}`));
    poke();
  });
  const weftDir = path.join(pipeline.root, '.weft');
  const watchers: FSWatcher[] = folders.map((folder) =>
    watch(folder, { recursive: true }, (_event, name) => {
      // The store and kept runs change on every run: never a reason to run again.
      if (name && path.resolve(folder, name.toString()).startsWith(weftDir + path.sep)) return;
      changed = true;
      poke();
    }),
  );
  const store = runStore(pipeline, settings, (message) => ctx.print.err(`weft: warning: ${message}`));
  let previous: RunReport | undefined;
  try {
    while (!received) {
      changed = false;
      const renderer = chooseRenderer(ctx, output, { json: false, dryRun: false });
      previous = await runOnce(ctx, pipeline, settings, { renderer, signal: controller.signal, ...(previous && { resume: previous }), ...(store && { store }) });
      if (received) break;
      ctx.print.err(`weft: watching ${folders.map((f) => path.relative(ctx.cwd, f) || '.').join(', ')} for changes (Ctrl-C to stop)`);
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
      // Quiet for SETTLE_MS before the next run; a change after that is the next run's.
      do {
        changed = false;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      } while (changed && !received);
    }
  } finally {
    off();
    for (const w of watchers) w.close();
    store?.close();
  }
  return exitCodeForSignal(received!);
}

/**
 * The folders to watch: for each `sources` glob of the run's tasks, its fixed leading folders
 * (`src/lib` for `src/lib/**\/*.c`), or the nearest one that exists; nested ones dropped.
 * @example watchedFolders(pipeline) // ['/repo/src', '/repo/docs']
 */
export function watchedFolders(pipeline: Pipeline): string[] {
  const found = new Set<string>();
  for (const spec of Object.values(pipeline.tasks)) {
    for (const pattern of spec.sources ?? []) {
      if (pattern.startsWith('!')) continue;
      const fixed: string[] = [];
      for (const part of pattern.split('/').slice(0, -1)) {
        if (/[*?[\]{}()!+@]/.test(part)) break;
        fixed.push(part);
      }
      let folder = path.resolve(pipeline.root, ...fixed);
      while (!existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
      found.add(folder);
    }
  }
  const sorted = [...found].sort();
  return sorted.filter((f) => !sorted.some((other) => other !== f && f.startsWith(other + path.sep)));
}
