import type { Executor, ExecutorContext } from '../executor.js';
import { errorToData } from './thread-errors.js';

/**
 * A batch for an executor without a runBatch hook: each item runs on its own, together; errors as data.
 * @example await runItems(shell, [{ command: 'true' }], ctx) // [{ ok: true, output: … }]
 */
export async function runItems(executor: Executor<any, any>, items: unknown[], ctx: ExecutorContext) {
  if (executor.runBatch) return executor.runBatch(items, ctx);
  return Promise.all(
    items.map((item) =>
      executor.run(item, ctx).then(
        (output: unknown) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error: errorToData(error) }),
      ),
    ),
  );
}
