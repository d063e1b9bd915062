// weft's public API: the one barrel. Everything a program embedding weft needs, and nothing of
// the internals (scheduler parking, worker protocol) that may change.

export type * from './types.js';
export { WeftError, isWeftError, toErrorData, fromErrorData, formatProblem, type WeftErrorCode } from './errors.js';
export type { Executor, ExecutorContext, ExecutorEntry, ExecutorSignals, HelperFn, JsonSchema, Plugin } from './executor.js';
export { SIGNALS_KEY } from './executor.js';

// Defining pipelines: load, validate, plan.
export { loadPipeline, listPipelines, parsePipeline, type PipelineEntry } from './load/load.js';
export { loadConfig, CONFIG_FILE } from './load/config.js';
export { validatePipeline, type ValidateContext } from './load/validate.js';
export { parseYaml } from './load/yaml.js';
export { planPipeline, type PlanOptions, type PlanResult, type PlanCost, type TaskCost } from './plan/plan.js';
export { buildGraph, findCycle, planBatches, criticalPath, ancestors, longestRemainingPath, topologicalOrder, type TaskGraph } from './plan/graph.js';
export { parseDuration } from './duration.js';
export { allocateModel, resolveModel } from './load/models.js';

// Running them.
export { runPipeline, type RunPipelineOptions } from './run/run.js';
export { createExecutorPool, type ExecutorPool, type ExecutorPoolOptions } from './pool/local.js';
export { createRegistry, registerPlugin, loadRegistry, resolvePluginSpec, builtinPluginUrl, type Registry } from './load/registry.js';

// Templates and secrets.
export { createTemplateEngine, analyzeTemplate, renderValue, renderString, isTemplate, formatText, type TemplateEngine } from './handlebars/render.js';
export { shellQuote } from './handlebars/shell-quote.js';
export { createMasker, MASK, type Masker } from './mask.js';

// Limits and retries, for executors and embedders that schedule work of their own.
export { createScheduler, type Scheduler, type SchedulerOptions, type Unit, type Outcome } from './schedule/scheduler.js';
export { backoffDelay, shouldRetry, nextDelay } from './run/retry.js';
export { createSemaphore, type Semaphore } from './schedule/limits/semaphore.js';
export { createTokenBucket, type TokenBucket } from './schedule/limits/token-bucket.js';
export { createBreaker, type Breaker } from './schedule/limits/breaker.js';
export { createAdaptiveLimit, type AdaptiveLimit } from './schedule/limits/adaptive.js';
export { createLockManager, type LockManager } from './schedule/limits/locks.js';

// Sharing: starters.
export { initProject, listStarters } from './init.js';

// The command line, as a function: cli(argv, io) => exit code.
export { cli, type CliIo, type Command } from './cli/index.js';
