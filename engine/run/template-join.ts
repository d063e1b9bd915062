// Run time: how a template call (its join task) ends, from how the template's tasks ended.
import type { ExecutorEntry } from '../executor.js';
import { WeftError } from '../errors.js';
import type { ErrorData, SkipReason, TaskStatus } from '../types.js';

/** How one of the template's top-level tasks ended. */
export type JoinedTask = { id: string; status?: TaskStatus; continueOnError: boolean; skipReason?: SkipReason };

export type JoinOutcome =
  | { status: 'success' }
  | { status: 'failed'; error: ErrorData }
  | { status: 'skipped'; reason: SkipReason }
  | { status: 'cancelled' };

/**
 * The call's status: failed when a task of the template failed (and did not continueOnError),
 * skipped when one was skipped for a reason other than its own `if`/`when`, cancelled when one
 * was; success otherwise, and then its output is the template's rendered `outputs`.
 * @example joinOutcome('audit', [{ id: 'audit.quality', status: 'failed', continueOnError: false }])
 * // { status: 'failed', error: { code: 'TASK_FAILED', message: 'template call audit: audit.quality failed' } }
 */
export function joinOutcome(call: string, tasks: JoinedTask[]): JoinOutcome {
  const failed = tasks.filter((t) => t.status === 'failed' && !t.continueOnError).map((t) => t.id);
  if (failed.length) return { status: 'failed', error: { code: 'TASK_FAILED', message: `template call ${call}: ${failed.join(', ')} failed` } };
  const skipped = tasks.find((t) => t.status === 'skipped' && t.skipReason !== 'condition' && t.skipReason !== 'when');
  if (skipped) return { status: 'skipped', reason: skipped.skipReason ?? 'upstream' };
  if (tasks.some((t) => t.status === 'cancelled')) return { status: 'cancelled' };
  return { status: 'success' };
}

/**
 * Stands in for an executor in the run loop's table for join tasks, which never reach the pool:
 * it has no hooks, and running it is a bug.
 */
export const joinEntry: ExecutorEntry = {
  name: 'template',
  source: 'built-in',
  moduleUrl: '',
  executor: {
    schema: {},
    description: 'a pipeline template call (its tasks run; this only joins them)',
    async run() {
      throw new WeftError('INTERNAL', 'a template call has no executor to run');
    },
  },
};
