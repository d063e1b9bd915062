// The calls of one chain, on an isolated thread (worker.ts): they were given one run-wide slot,
// so they run one after another. A chain gives back the calls it has not started (each answered
// NOT_STARTED; its caller schedules them again or skips them) when the run stops, and when one
// of its calls runs long: the calls queued behind a slow one then take other slots.
import type { WorkerResult, WorkerTask } from './worker.js';

/** A call of a chain running longer than this lets the calls behind it go (by default). */
export const RELEASE_MS = 10;

/** What a chained call that never started resolves with (its thread may also have been replaced). */
export const NOT_STARTED: WorkerResult = {
  ok: false,
  error: { code: 'NOT_STARTED', message: 'not started: the run stopped, the call was cancelled, a call before it ran long, or its thread ended' },
  logs: 0,
};

export type ChainHooks = {
  /** How long a call may run before the calls behind it go back. */
  releaseMs: number;
  /** Run the call and send its result. */
  run(task: WorkerTask): Promise<void>;
  /** Whether the call may start (not cancelled, the thread not closing). */
  mayStart(task: WorkerTask): boolean;
  /** Send that the call never started. */
  giveBack(task: WorkerTask): void;
};

type Chain = { tasks: WorkerTask[]; next: number; since: number };

/**
 * The chains of one thread.
 * @example const chains = createChains(hooks); chains.run(tasksOfOneChain); chains.stopAll();
 */
export function createChains(hooks: ChainHooks): { run(tasks: WorkerTask[]): Promise<void>; stopAll(): void } {
  const running = new Set<Chain>();
  let watch: NodeJS.Timeout | undefined;

  /** The calls not started yet go back. */
  function release(chain: Chain): void {
    for (const task of chain.tasks.slice(chain.next)) hooks.giveBack(task);
    chain.next = chain.tasks.length;
  }

  // A call that awaits something slow leaves the thread free: this notices it while it runs. One
  // that blocks the thread is noticed when it ends, before the next call would start.
  function watchSlow(): void {
    const now = performance.now();
    for (const chain of running) if (now - chain.since > hooks.releaseMs) release(chain);
  }

  async function run(tasks: WorkerTask[]): Promise<void> {
    const chain: Chain = { tasks, next: 0, since: 0 };
    running.add(chain);
    watch ??= setInterval(watchSlow, hooks.releaseMs);
    try {
      while (chain.next < tasks.length) {
        const task = tasks[chain.next++]!;
        if (!hooks.mayStart(task)) {
          hooks.giveBack(task);
          continue;
        }
        chain.since = performance.now();
        await hooks.run(task);
        if (performance.now() - chain.since > hooks.releaseMs) release(chain);
      }
    } finally {
      running.delete(chain);
      if (running.size === 0) {
        clearInterval(watch);
        watch = undefined;
      }
    }
  }

  return {
    run,
    stopAll: () => running.forEach(release),
  };
}
