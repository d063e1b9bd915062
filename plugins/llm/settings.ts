// The executor's switches from ctx.options (set by the engine from config and CLI flags).
import path from 'node:path';
import { WeftError } from '../../engine/plugin.js';
import { loadModels, type ModelTable } from './models.js';

/** How many answers a json task may get before OUTPUT_INVALID. */
export const defaultOutputAttempts = 3;

/** The price table for a project: defaults merged with `options.modelsFile` (relative to root). */
export function modelsFor(options: Record<string, unknown>, root: string): ModelTable {
  const file = typeof options.modelsFile === 'string' && options.modelsFile ? path.resolve(root, options.modelsFile) : undefined;
  return loadModels(file);
}

/** The model the engine allocated, or a clear UNKNOWN_MODEL when it allocated none. */
export function requireModel(model: string | undefined, taskId: string): string {
  if (!model) {
    throw new WeftError('UNKNOWN_MODEL', `llm task ${taskId} has no model: set models.default, a task model, or a models.allocate entry`);
  }
  return model;
}

/** Requests one json answer may take, re-asks included (`options.outputAttempts`, default 3). */
export function outputAttemptsOf(options: Record<string, unknown>): number {
  const n = options.outputAttempts;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : defaultOutputAttempts;
}

/** First delay between batch status polls (`options.batchPollMs`, default 1s); it grows 1.5x to 60s. */
export function batchPollOf(options: Record<string, unknown>): number {
  const n = options.batchPollMs;
  return typeof n === 'number' && n > 0 ? n : 1000;
}
