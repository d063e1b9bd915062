import { planPipeline } from '../../plan.js';
import type { Plan } from '../../types.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { requireOne } from './require-one.js';

export const plan: Command = {
  name: 'plan',
  summary: 'show the batches, the critical path and each llm task\'s model',
  usage: `Usage: weft plan <pipeline> [--json] [--dir DIR]

Batches are the tasks that may run together, level by level; the critical path is the
longest chain of needs. --json prints { batches, criticalPath, models }.`,
  flags: { json: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, dir, print }) {
    const pipeline = await loadOrThrow(requireOne(positionals, 'plan'), { cwd, dir });
    const result = planPipeline(pipeline);
    if (values.json) print.out(JSON.stringify(result, null, 2));
    else for (const line of formatPlan(result)) print.out(line);
    return EXIT.ok;
  },
};

/**
 * The plan as text.
 * @example formatPlan({ batches: [['a'], ['b', 'c']], criticalPath: ['a', 'b'], models: {} })
 * // ['batches: [a] [b, c]', 'critical path: a → b']
 */
export function formatPlan(result: Plan): string[] {
  const lines = [
    `batches: ${result.batches.map((batch) => `[${batch.join(', ')}]`).join(' ')}`,
    `critical path: ${result.criticalPath.join(' → ')}`,
  ];
  const models = Object.entries(result.models);
  if (models.length > 0) {
    lines.push('models:');
    const width = Math.max(...models.map(([id]) => id.length));
    for (const [id, model] of models) lines.push(`  ${id.padEnd(width)}  ${model}`);
  }
  return lines;
}
