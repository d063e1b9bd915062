import { SIGNALS_KEY, type ExecutorSignals } from '../../engine/plugin.js';
import type { Answer } from './answer.js';
import { estimateCost, noUsage, type LlmUsage } from './cost.js';
import type { ModelTable } from './models.js';

/** The llm task's output, as the pipeline format documents it. */
export type LlmOutput = {
  text: string;
  json?: unknown;
  model: string;
  stopReason: string | null;
  usage: LlmUsage;
  costUsd: number;
};

/** An output with its run signals attached; the engine strips the signals before storing it. */
export type LlmResult = LlmOutput & { [SIGNALS_KEY]?: ExecutorSignals };

/**
 * Price an answer into the documented output; `batch` applies the batch discount.
 * @example toOutput(answer, loadModels())
 */
export function toOutput(answer: Answer, models: ModelTable, options: { batch?: boolean } = {}): LlmOutput {
  return {
    text: answer.text,
    ...(answer.json === undefined ? {} : { json: answer.json }),
    model: answer.model,
    stopReason: answer.stopReason,
    usage: answer.usage,
    costUsd: estimateCost(answer.model, answer.usage, models, options),
  };
}

/**
 * A stored answer as this run's output. Nothing was spent to get it, so usage and cost are
 * zero: budgets and the report count what a run consumed, not what the answer once cost.
 */
export function fromCache(stored: LlmOutput): LlmResult {
  return { ...stored, usage: { ...noUsage }, costUsd: 0, [SIGNALS_KEY]: { cache: 'hit' } };
}

/** Attach signals, leaving out the empty ones. */
export function withSignals(output: LlmOutput, signals: ExecutorSignals): LlmResult {
  const present = Object.fromEntries(Object.entries(signals).filter(([, v]) => v !== undefined)) as ExecutorSignals;
  return Object.keys(present).length ? { ...output, [SIGNALS_KEY]: present } : output;
}
