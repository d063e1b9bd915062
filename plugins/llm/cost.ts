import { priceOf, type ModelTable } from './models.js';

/** Tokens of one answer (summed over re-asks), as the llm output reports them. */
export type LlmUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
};

export const noUsage: LlmUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

/**
 * What `usage` cost in USD under the model table; `batch` applies the table's batch discount.
 * Throws UNKNOWN_MODEL for a model the table does not price.
 * @example
 * estimateCost('claude-haiku-5-5', { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 0, cacheWriteTokens: 0 }, loadModels())
 */
export function estimateCost(model: string, usage: LlmUsage, models: ModelTable, options: { batch?: boolean } = {}): number {
  const price = priceOf(model, models);
  const perMillion =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadTokens * price.cacheRead +
    usage.cacheWriteTokens * price.cacheWrite;
  const factor = options.batch ? models.batchDiscount : 1;
  // Rounded to a billionth of a dollar so sums in reports do not print float dust.
  return Math.round((perMillion / 1e6) * factor * 1e9) / 1e9;
}

/**
 * The most one call can cost: `inputTokens` in and `maxTokens` out, no cache discount.
 * For `weft plan`'s worst-case column and for budgets checked before a task starts.
 * @example worstCaseCost('claude-opus-5-5', 2000, 1024, loadModels())
 */
export function worstCaseCost(model: string, inputTokens: number, maxTokens: number, models: ModelTable): number {
  return estimateCost(model, { ...noUsage, inputTokens, outputTokens: maxTokens }, models);
}

/** Element-wise sum, for usage over re-asks. */
export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** The API's usage block in weft's names; nulls (fields the API left out) count as zero. */
export function usageFromApi(u: {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}): LlmUsage {
  return {
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
  };
}
