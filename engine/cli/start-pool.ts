// `weft run` starts its worker threads before it reads the pipeline: thread start-up (~50-100 ms
// each, more on a busy machine) then overlaps parsing and validation instead of delaying the first task.
import { loadConfig } from '../load/config.js';
import { createExecutorPool, type ExecutorPool } from '../pool/local.js';

/** The local pool, or the queue URL (`--queue`, else `queue:` in the config) when attempts run on workers. */
export type StartedPool = { pool?: ExecutorPool; queue?: string };

/**
 * The run's executor pool, sized by weft.config.yaml's `workers`; none for a dry run, which runs
 * nothing, nor on a queue (the caller makes that pool once the pipeline is loaded). The run
 * learns the executors later (ExecutorPool.warm); the caller destroys it.
 * @example const { pool } = await startPool(ctx.cwd, false); try { … } finally { await pool?.destroy(); }
 */
export async function startPool(cwd: string, dryRun: boolean, queueFlag?: string): Promise<StartedPool> {
  if (dryRun) return {};
  // A config with problems is reported by the pipeline's load; the pool takes the default then.
  const { config } = await loadConfig(cwd);
  const queue = queueFlag ?? config.queue;
  if (queue) return { queue };
  return { pool: createExecutorPool({ workers: config.workers }) };
}
