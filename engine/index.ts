// weft's public API: the one barrel. Everything a program embedding weft needs, and nothing of
// the internals (scheduler parking, worker protocol) that may change.

export type * from './types.js';
export { WeftError, isWeftError, toErrorData, fromErrorData, formatProblem, type WeftErrorCode } from './errors.js';
export type { Executor, ExecutorContext, ExecutorEntry, ExecutorSignals, HelperFn, JsonSchema, Plugin } from './executor.js';
export { SIGNALS_KEY } from './executor.js';

// Defining pipelines: load, validate, plan.
export { loadPipeline, listPipelines, parsePipeline, type PipelineEntry } from './load.js';
export { loadConfig, CONFIG_FILE } from './config.js';
export { validatePipeline, type ValidateContext } from './validate.js';
export { parseYaml } from './yaml.js';
export { planPipeline, type PlanOptions, type PlanResult, type PlanCost, type TaskCost } from './plan.js';
export { buildGraph, findCycle, planBatches, criticalPath, ancestors, longestRemainingPath, topologicalOrder, type TaskGraph } from './graph.js';
export { parseDuration } from './duration.js';
export { allocateModel, resolveModel } from './models.js';

// Running them.
export { runPipeline, type RunPipelineOptions } from './run.js';
export { createExecutorPool, type ExecutorPool, type ExecutorPoolOptions } from './pool.js';
export { createRegistry, registerPlugin, loadRegistry, resolvePluginSpec, builtinPluginUrl, type Registry } from './registry.js';

// Templates and secrets.
export { createTemplateEngine, analyzeTemplate, renderValue, renderString, isTemplate, formatText, type TemplateEngine } from './template.js';
export { shellQuote } from './shell-quote.js';
export { createMasker, MASK, type Masker } from './mask.js';

// Limits and retries, for executors and embedders that schedule work of their own.
export { createScheduler, type Scheduler, type SchedulerOptions, type Unit, type Outcome } from './scheduler.js';
export { backoffDelay, shouldRetry, nextDelay } from './retry.js';
export { createSemaphore, type Semaphore } from './limits/semaphore.js';
export { createTokenBucket, type TokenBucket } from './limits/token-bucket.js';
export { createBreaker, type Breaker } from './limits/breaker.js';
export { createAdaptiveLimit, type AdaptiveLimit } from './limits/adaptive.js';
export { createLockManager, type LockManager } from './limits/locks.js';

// Sharing: starters.
export { initProject, listStarters } from './init.js';

// The command line, as a function: cli(argv, io) => exit code.
export { cli, type CliIo, type Command } from './cli/index.js';
