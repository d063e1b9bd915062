import type { RunEvent } from '../types.js';

/** Where a run stands: `done` of `total` tasks, by outcome. */
export type Progress = { total: number; done: number; failed: number; tolerated: number };

/**
 * Counts a run's tasks as its events arrive, so that `done` ends equal to `total` and both equal
 * the report's task count: a forEach counts as its instances once it expands (`task:expand`).
 * @example const p = createProgress(); events.forEach(p.onEvent); `${p.state.done}/${p.state.total}`
 */
export function createProgress(): { state: Progress; onEvent(event: RunEvent): void } {
  const state: Progress = { total: 0, done: 0, failed: 0, tolerated: 0 };
  return {
    state,
    onEvent(event) {
      if (event.type === 'run:start') state.total = event.total;
      else if (event.type === 'task:expand') state.total += Math.max(0, event.instances - 1);
      else if (event.type === 'task:end') {
        state.done++;
        if (event.result.status === 'failed') {
          if (event.result.tolerated) state.tolerated++;
          else state.failed++;
        }
      }
    },
  };
}
