// `weft run` starts its worker threads before it reads the pipeline: thread start-up (~50-100 ms
// each, more on a busy machine) then overlaps parsing and validation instead of delaying the first task.
import { loadConfig } from '../load/config.js';
import { createExecutorPool, type ExecutorPool } from '../pool/local.js';

/**
 * The run's executor pool, sized by weft.config.yaml's `workers`; undefined for a dry run, which
 * runs nothing. The run learns the executors later (ExecutorPool.warm); the caller destroys it.
 * @example const pool = await startPool(ctx.cwd, false); try { … } finally { await pool?.destroy(); }
 */
export async function startPool(cwd: string, dryRun: boolean): Promise<ExecutorPool | undefined> {
  if (dryRun) return undefined;
  // A config with problems is reported by the pipeline's load; the pool takes the default then.
  const { config } = await loadConfig(cwd);
  return createExecutorPool({ workers: config.workers });
}
