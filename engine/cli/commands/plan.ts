import { planPipeline, type PlanCost, type PlanResult } from '../../plan/plan.js';
import type { BudgetSpec } from '../../types.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { parseVars } from '../vars.js';
import { selectTargets } from '../../plan/select.js';
import { requirePipelineAndTargets } from './require-one.js';

export const plan: Command = {
  name: 'plan',
  summary: 'show the batches, the critical path, each llm task\'s model and the worst-case cost',
  usage: `Usage: weft plan <pipeline> [TASK...] [--var KEY=VALUE]... [--json] [--dir DIR]

With TASKs (or the pipeline's default: targets), only those tasks and what they need.

Batches are the tasks that may run together, level by level; the critical path is the
longest chain of needs. The worst case prices every llm call at its largest input and
maxTokens out. Inputs (defaults, or --var as for run), pipeline.name and partials are
rendered first; a forEach whose items come from another task has no width before the run.
--json prints { batches, criticalPath, models, cost }.`,
  flags: { json: { type: 'boolean' }, var: { type: 'string', multiple: true } },
  async run({ values, positionals }, { cwd, dir, print }) {
    const named = requirePipelineAndTargets(positionals, 'plan');
    const { pipeline: whole, loaded } = await loadOrThrow(named.pipeline, { cwd, dir });
    const pipeline = selectTargets(whole, named.targets);
    const inputs = parseVars((values.var as string[] | undefined) ?? [], pipeline.inputs);
    const { registry, partials, engine } = loaded;
    const result = planPipeline(pipeline, { registry, inputs, partials, engine });
    const warnings = budgetWarnings(result.cost, pipeline.budget);
    if (values.json) print.out(JSON.stringify(warnings.length ? { ...result, warnings } : result, null, 2));
    else for (const line of [...formatPlan(result), ...warnings.map((w) => `! ${w}`)]) print.out(line);
    return EXIT.ok;
  },
};

/**
 * The plan as text.
 * @example formatPlan({ batches: [['a'], ['b', 'c']], criticalPath: ['a', 'b'], models: {} })
 * // ['batches: [a] [b, c]', 'critical path: a → b']
 */
export function formatPlan(result: PlanResult): string[] {
  const lines = [
    `batches: ${result.batches.map((batch) => `[${batch.join(', ')}]`).join(' ')}`,
    `critical path: ${result.criticalPath.join(' → ')}`,
  ];
  const models = Object.entries(result.models);
  if (models.length > 0) {
    lines.push('models:');
    const width = Math.max(...models.map(([id]) => id.length));
    const modelWidth = Math.max(...models.map(([, model]) => model.length));
    for (const [id, model] of models) {
      const cost = result.cost?.tasks[id];
      const column = cost ? `  worst case ${taskCost(cost)}` : '';
      lines.push(`  ${id.padEnd(width)}  ${model.padEnd(modelWidth)}${column}`.trimEnd());
    }
  }
  if (result.cost) lines.push(totalCost(result.cost));
  return lines;
}

const usd = (n: number) => `$${n.toFixed(4)}`;

/**
 * What the worst case says about the budget: a warning for each limit it exceeds. A worst case
 * that is not complete (a forEach's width comes at run time) warns once its known part exceeds.
 * @example budgetWarnings({ tasks: {}, tokens: 9000, costUsd: 2, complete: true }, { costUsd: 1, warnAt: 0.8 })
 * // ['the worst case ($2.0000) exceeds budget.costUsd ($1.0000): the run stops starting llm tasks once it is spent']
 */
export function budgetWarnings(cost: PlanCost | undefined, budget: BudgetSpec | undefined): string[] {
  if (!cost || !budget) return [];
  const warnings: string[] = [];
  const tail = 'the run stops starting llm tasks once it is spent';
  const known = cost.complete ? 'the worst case' : 'the known part of the worst case';
  if (budget.costUsd !== undefined && cost.costUsd > budget.costUsd) {
    warnings.push(`${known} (${usd(cost.costUsd)}) exceeds budget.costUsd (${usd(budget.costUsd)}): ${tail}`);
  }
  if (budget.tokens !== undefined && cost.tokens > budget.tokens) {
    warnings.push(`${known} (${cost.tokens} tokens) exceeds budget.tokens (${budget.tokens}): ${tail}`);
  }
  return warnings;
}

function taskCost(cost: PlanCost['tasks'][string]): string {
  const per = cost.perCall.costUsd;
  if (per === undefined) return 'unknown (no price or size before the run)';
  if (cost.calls === undefined) return `${usd(per)} per item × unknown items (forEach known at run time)`;
  if (cost.calls === 1) return usd(per);
  if (cost.costUsd === undefined) return `unknown (${cost.calls} items, some with no price or size before the run)`;
  // Items of different sizes: the total, and the largest one call.
  const even = Math.abs(per * cost.calls - cost.costUsd) < 1e-6 * Math.max(1, cost.calls);
  return even ? `${usd(cost.costUsd)} (${cost.calls} × ${usd(per)})` : `${usd(cost.costUsd)} (${cost.calls} items, at most ${usd(per)} each)`;
}

function totalCost(cost: PlanCost): string {
  const tokens = `${cost.tokens} tokens`;
  if (cost.complete) return `worst-case cost: ${usd(cost.costUsd)}, ${tokens}`;
  const open = Object.entries(cost.tasks).filter(([, t]) => t.costUsd === undefined).map(([id]) => id);
  return `worst-case cost: unknown before the run (${open.join(', ')}); the rest at most ${usd(cost.costUsd)}, ${tokens}`;
}
