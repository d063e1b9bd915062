// `budget:` — a warning at warnAt, and once spent, no new task with a model starts.
import type { BudgetSpec, ErrorData } from '../types.js';
import type { UsageTally } from './usage.js';

export type BudgetGate = {
  /** Count an output's usage; true once the budget is spent. */
  account(output: unknown): boolean;
  readonly spent: boolean;
  /** BUDGET_EXCEEDED, once spent: the run's error. */
  readonly error?: ErrorData;
};

/**
 * Feeds every output to the usage tally and watches the budget, if there is one.
 * @example const gate = createBudgetGate(pipeline.budget, tally, (m) => emit({ type: 'warning', message: m }))
 */
export function createBudgetGate(budget: BudgetSpec | undefined, usage: UsageTally, warn: (message: string) => void): BudgetGate {
  let warned = false;
  const gate: { account(output: unknown): boolean; spent: boolean; error?: ErrorData } = {
    spent: false,
    account(output) {
      if (!usage.add(output) || !budget || gate.spent) return gate.spent;
      const { tokens, costUsd, warnAt } = budget;
      const fraction = Math.max(tokens ? usage.tokens / tokens : 0, costUsd ? usage.costUsd / costUsd : 0);
      if (!warned && fraction >= warnAt && fraction < 1) {
        warned = true;
        warn(`budget ${Math.round(fraction * 100)}% spent`);
      }
      if (fraction >= 1) {
        gate.spent = true;
        gate.error = { code: 'BUDGET_EXCEEDED', message: `budget spent: ${usage.tokens} tokens, $${usage.costUsd.toFixed(4)}` };
        warn(gate.error.message);
      }
      return gate.spent;
    },
  };
  return gate;
}
