// Model ids and prices come from data (models/models.json, merged with the user's file), never
// from code, so a price change or a new model is an edit to JSON, not a release.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WeftError } from '../../engine/plugin.js';
import { packageRootOf } from '../../engine/plugin.js';

/** USD per million tokens for one model. */
export type ModelPrice = {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  contextWindow?: number;
};

/** The price table: every known model id, and the factor batch calls pay (0.5 = half price). */
export type ModelTable = { models: Record<string, ModelPrice>; batchDiscount: number };

/** Where the shipped defaults live; read at run time because models/ is outside the compiled tree. */
export const defaultModelsFile = path.join(packageRootOf(import.meta.url), 'models', 'models.json');

const priceFields = ['input', 'output', 'cacheWrite', 'cacheRead'] as const;

/**
 * The model table: the shipped defaults, with the user's file (if any) merged over them by id.
 * Synchronous so `weft plan` can price a pipeline on the main thread without ceremony.
 * @example
 * const table = loadModels('/project/models.local.json');
 * table.models['claude-haiku-5-5'].input // USD per million input tokens
 */
export function loadModels(overridePath?: string): ModelTable {
  const shipped = parseTable(readJson(defaultModelsFile), defaultModelsFile, true);
  const table = { models: shipped.models, batchDiscount: shipped.batchDiscount ?? 1 };
  if (!overridePath) return table;
  const extra = parseTable(readJson(overridePath), overridePath, false);
  const models = { ...table.models };
  for (const [id, price] of Object.entries(extra.models)) models[id] = { ...models[id], ...price } as ModelPrice;
  for (const [id, price] of Object.entries(models)) checkPrice(id, price, overridePath);
  return { models, batchDiscount: extra.batchDiscount ?? table.batchDiscount };
}

/**
 * The price of `model`, or UNKNOWN_MODEL naming where to add it.
 * @example priceOf('claude-sonnet-5-5', loadModels()).output // 15
 */
export function priceOf(model: string, table: ModelTable): ModelPrice {
  const price = table.models[model];
  if (!price) {
    const known = Object.keys(table.models).join(', ');
    throw new WeftError(
      'UNKNOWN_MODEL',
      `model "${model}" has no entry in the price table (known: ${known}); add it to the file named by anthropic.modelsFile`,
    );
  }
  return price;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new WeftError('CONFIG_INVALID', `cannot read models file ${file}: ${(cause as Error).message}`, { cause });
  }
}

// The user's file may give only some fields of a model (merged over the default), so
// completeness is checked after merging; the shipped file must be complete on its own.
function parseTable(raw: unknown, file: string, complete: boolean): { models: Record<string, ModelPrice>; batchDiscount?: number | undefined } {
  const data = raw as { models?: unknown; batchDiscount?: unknown };
  if (typeof data !== 'object' || data === null || typeof data.models !== 'object' || data.models === null) {
    throw new WeftError('CONFIG_INVALID', `models file ${file} needs a "models" object of id -> prices`);
  }
  const discount = data.batchDiscount;
  if (discount !== undefined && (typeof discount !== 'number' || discount <= 0 || discount > 1)) {
    throw new WeftError('CONFIG_INVALID', `models file ${file}: batchDiscount must be a number in (0, 1]`);
  }
  const models = data.models as Record<string, ModelPrice>;
  if (complete) for (const [id, price] of Object.entries(models)) checkPrice(id, price, file);
  return { models, batchDiscount: discount as number | undefined };
}

function checkPrice(id: string, price: ModelPrice, file: string): void {
  for (const field of priceFields) {
    const value = price[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new WeftError('CONFIG_INVALID', `models file ${file}: ${id}.${field} must be a non-negative number of USD per million tokens`);
    }
  }
}
