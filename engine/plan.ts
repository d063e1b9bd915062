// `weft plan`: what may run together, the chain that bounds the run, and each llm task's model.
import { buildGraph, criticalPath, planBatches } from './graph.js';
import type { Pipeline, Plan } from './types.js';

/**
 * The plan of a loaded pipeline. Batches are a picture of the graph's levels, not the order the
 * scheduler runs tasks in (it starts each task as soon as its needs are done).
 * @example
 * planPipeline(pipeline) // { batches: [['scan'], ['security']], criticalPath: ['scan', 'security'], models: { security: 'claude-opus-5-5' } }
 */
export function planPipeline(pipeline: Pipeline): Plan {
  const graph = buildGraph(pipeline.tasks);
  const models: Record<string, string> = {};
  for (const task of Object.values(pipeline.tasks)) if (task.model !== undefined) models[task.id] = task.model;
  // A template call's join is bookkeeping, not work: the template's own tasks stand for it.
  const work = (id: string) => !pipeline.tasks[id]!.join;
  const batches = planBatches(graph).map((batch) => batch.filter(work)).filter((batch) => batch.length > 0);
  const path = criticalPath(graph, (id) => (work(id) ? 1 : 0)).filter(work);
  return { batches, criticalPath: path, models };
}
