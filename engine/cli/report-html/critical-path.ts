import type { RunReport, TaskResult } from '../../types.js';

type Timed = { id: string; startedAt: number; endedAt: number };

/**
 * The declared task an entry of the report belongs to: `lint[3]` belongs to `lint`.
 * @example baseTaskId('lint[3]') // 'lint'
 */
export function baseTaskId(id: string): string {
  return id.replace(/\[\d+\]$/, '');
}

/** Start and end of a result that ran (or was resumed): skipped tasks have neither. */
export function timesOf(result: TaskResult): { startedAt: number; endedAt: number } | undefined {
  if (!('startedAt' in result) || typeof result.startedAt !== 'number' || typeof result.endedAt !== 'number') return undefined;
  return { startedAt: result.startedAt, endedAt: result.endedAt };
}

/**
 * The chain of tasks that decided how long the run took, as it ran: from the entry that ended
 * last, back through the need that ended last before it started, to a task that needed nothing.
 * @example findCriticalPath(report) // ['build', 'test[2]', 'report']
 */
export function findCriticalPath(report: RunReport): string[] {
  const needs = report.needs ?? {};
  const byBase = new Map<string, Timed[]>();
  let last: Timed | undefined;
  for (const [id, result] of Object.entries(report.tasks)) {
    const times = timesOf(result);
    if (!times) continue;
    const timed = { id, ...times };
    const base = baseTaskId(id);
    const list = byBase.get(base);
    if (list) list.push(timed);
    else byBase.set(base, [timed]);
    if (!last || timed.endedAt > last.endedAt) last = timed;
  }
  const path: string[] = [];
  const seen = new Set<string>();
  for (let current = last; current && !seen.has(current.id); ) {
    seen.add(current.id);
    path.push(current.id);
    let before: Timed | undefined;
    for (const need of needs[baseTaskId(current.id)] ?? []) {
      for (const t of byBase.get(need) ?? []) {
        // A need ends before its dependent starts; a millisecond of clock skew is tolerated.
        if (t.endedAt <= current.startedAt + 1 && (!before || t.endedAt > before.endedAt)) before = t;
      }
    }
    current = before;
  }
  return path.reverse();
}
