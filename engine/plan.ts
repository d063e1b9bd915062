// `weft plan`: what may run together, the chain that bounds the run, each llm task's model and,
// given the executors, the worst case the run may spend.
import { buildGraph, criticalPath, planBatches } from './graph.js';
import type { Registry } from './registry.js';
import type { Pipeline, Plan } from './types.js';

/** One task's worst case: per call, how many calls (undefined: a forEach known only at run time), and the product. */
export type TaskCost = { perCall: { tokens?: number; costUsd?: number }; calls?: number; tokens?: number; costUsd?: number };

/**
 * The worst case of the tasks whose executor estimates it. `costUsd` and `tokens` sum what is
 * known; `complete` is false when some task's calls or price are not known before the run.
 */
export type PlanCost = { tasks: Record<string, TaskCost>; tokens: number; costUsd: number; complete: boolean };

export type PlanResult = Plan & { cost?: PlanCost };

/**
 * The plan of a loaded pipeline. Batches are a picture of the graph's levels, not the order the
 * scheduler runs tasks in (it starts each task as soon as its needs are done). With a registry,
 * executors that have an `estimate` hook (llm) add the worst-case cost.
 * @example
 * planPipeline(pipeline) // { batches: [['scan'], ['security']], criticalPath: ['scan', 'security'], models: { security: 'claude-opus-5-5' } }
 * planPipeline(pipeline, { registry }).cost // { tasks: { security: { calls: 1, costUsd: 0.09, … } }, costUsd: 0.09, complete: true, … }
 */
export function planPipeline(pipeline: Pipeline, options: { registry?: Registry } = {}): PlanResult {
  const graph = buildGraph(pipeline.tasks);
  const models: Record<string, string> = {};
  for (const task of Object.values(pipeline.tasks)) if (task.model !== undefined) models[task.id] = task.model;
  // A template call's join is bookkeeping, not work: the template's own tasks stand for it.
  const work = (id: string) => !pipeline.tasks[id]!.join;
  const batches = planBatches(graph).map((batch) => batch.filter(work)).filter((batch) => batch.length > 0);
  const path = criticalPath(graph, (id) => (work(id) ? 1 : 0)).filter(work);
  const plan: PlanResult = { batches, criticalPath: path, models };
  if (options.registry) {
    const cost = worstCase(pipeline, options.registry);
    if (Object.keys(cost.tasks).length > 0) plan.cost = cost;
  }
  return plan;
}

function worstCase(pipeline: Pipeline, registry: Registry): PlanCost {
  const execOptions: Record<string, unknown> = {};
  if (pipeline.config.anthropic?.modelsFile) execOptions.modelsFile = pipeline.config.anthropic.modelsFile;
  const cost: PlanCost = { tasks: {}, tokens: 0, costUsd: 0, complete: true };
  for (const spec of Object.values(pipeline.tasks)) {
    const estimate = !spec.join && registry.executors.get(spec.uses)?.executor.estimate;
    if (!estimate) continue;
    const perCall = estimate(spec.with, { ...(spec.model ? { model: spec.model } : {}), root: pipeline.root, options: execOptions });
    const calls = callsOf(spec.forEach);
    const task: TaskCost = { perCall };
    if (calls !== undefined) {
      task.calls = calls;
      if (perCall.tokens !== undefined) task.tokens = perCall.tokens * calls;
      if (perCall.costUsd !== undefined) task.costUsd = Math.round(perCall.costUsd * calls * 1e6) / 1e6;
    }
    cost.tasks[spec.id] = task;
    if (task.costUsd === undefined || task.tokens === undefined) cost.complete = false;
    cost.tokens += task.tokens ?? 0;
    cost.costUsd += task.costUsd ?? 0;
  }
  cost.costUsd = Math.round(cost.costUsd * 1e6) / 1e6;
  return cost;
}

// A forEach over a literal array has a known width (chunks counted); one over a template does not.
function callsOf(forEach: Pipeline['tasks'][string]['forEach']): number | undefined {
  if (!forEach) return 1;
  if (!Array.isArray(forEach.items)) return undefined;
  const size = forEach.chunk && forEach.chunk > 1 ? forEach.chunk : 1;
  return Math.ceil(forEach.items.length / size);
}
