// Which queue a job goes to: workers with the same tags share a queue, and a task's `runsOn`
// tags must all be among a queue's. Pure functions of the live-worker list.
import type { WorkerInfo } from './queue-registry.js';

/**
 * Among the queues of live workers that offer every tag of `runsOn`, the least loaded: calls in
 * flight (plus this one) per slot. Undefined when no live worker fits.
 * @example chooseQueue([{ queue: 'attempts.gpu', tags: ['gpu'], concurrency: 4, … }], ['gpu'], () => 0) // 'attempts.gpu'
 */
export function chooseQueue(live: readonly WorkerInfo[], runsOn: readonly string[], inflightOf: (queue: string) => number): string | undefined {
  const capacity = new Map<string, number>();
  for (const w of live) {
    if (runsOn.every((tag) => w.tags.includes(tag))) capacity.set(w.queue, (capacity.get(w.queue) ?? 0) + w.concurrency);
  }
  let best: string | undefined;
  let bestLoad = Infinity;
  for (const [name, slots] of capacity) {
    const load = (inflightOf(name) + 1) / Math.max(1, slots);
    if (load < bestLoad) [best, bestLoad] = [name, load];
  }
  return best;
}

/** Why a task found no worker: none running, or none with its tags (naming what there is). */
export function noWorkerMessage(taskId: string, runsOn: readonly string[], live: readonly WorkerInfo[]): string {
  if (!live.length) return `task ${taskId}: no live weft worker on this queue; start one with "weft worker --queue URL"`;
  const offered = [...new Set(live.map((w) => (w.tags.length ? w.tags.join('+') : '(no tags)')))].join(', ');
  return `task ${taskId}: no live worker with tags ${runsOn.join(', ')} (live workers offer: ${offered})`;
}
