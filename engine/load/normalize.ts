// From a validated document to the Pipeline the scheduler runs: defaults merged, shorthands
// expanded, durations in milliseconds, models allocated.
import os from 'node:os';
import path from 'node:path';
import { isTemplateString } from '../handlebars/is-template.js';
import { parseDuration } from '../duration.js';
import { allocateModel, mergeModels } from './models.js';
import type { BudgetSpec, ForEachSpec, MatrixSpec, Pipeline, PoolSpec, ReadyCheck, RetryPolicy, ServiceSpec, TaskSpec, WeftConfig } from '../types.js';
import type { LineCol } from './yaml.js';
import type { MatrixDoc, PipelineDoc, PoolDoc, RetryDoc, ServiceDoc, TaskDoc } from './document.js';

/** Retry when nothing says otherwise: one attempt; the rest shapes retries once `attempts` is raised. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 1,
  delayMs: 1000,
  backoff: 'exponential',
  factor: 2,
  maxDelayMs: 30_000,
  jitter: true,
};
export const DEFAULT_BREAKER_COOLDOWN_MS = 30_000;
export const DEFAULT_WARN_AT = 0.8;


export type NormalizeOptions = {
  file: string;
  config: WeftConfig;
  /** The `with` field `run:` fills, per executor (the shell's is `command`). */
  runField?: (uses: string) => string;
  /** Positions of the task keys, for errors raised at run time. */
  taskPositions?: Map<string, LineCol>;
  /** Whether an executor's tasks get a model from `models:` (its `usesModel` hook). */
  usesModel?: (uses: string) => boolean;
};

/**
 * The Pipeline for a document that validatePipeline found no problem in.
 * @example
 * normalizePipeline({ tasks: { a: { run: 'echo hi' } } }, { file: 'p.yaml', config })
 * // tasks.a: { uses: 'shell', with: { command: 'echo hi' }, retry: { attempts: 1, … }, … }
 */
export function normalizePipeline(doc: PipelineDoc, options: NormalizeOptions): Pipeline {
  const { config, file } = options;
  const models = mergeModels(config.models, doc.models);
  const pipeline: Pipeline = {
    name: doc.name ?? path.basename(file).replace(/\.ya?ml$/, ''),
    file,
    root: config.root,
    inputs: doc.inputs ?? {},
    env: stringValues(doc.env),
    concurrency: doc.concurrency ?? config.concurrency ?? 0,
    failFast: doc.failFast ?? true,
    parallel: config.parallel,
    pools: { ...config.pools, ...normalizePools(doc.pools) },
    models,
    tasks: {},
    outputs: doc.outputs ?? {},
    config,
  };
  if (doc.description !== undefined) pipeline.description = doc.description;
  if (doc.default !== undefined) pipeline.targets = [...doc.default];
  if (doc.dotenv !== undefined) pipeline.dotenv = [...doc.dotenv];
  const budget = normalizeBudget(config.budget, doc.budget);
  if (budget) pipeline.budget = budget;
  const defaults: TaskDoc = doc.defaults ?? {};
  for (const [id, task] of Object.entries(doc.tasks ?? {})) {
    pipeline.tasks[id] = normalizeTask(id, task, defaults, pipeline, options);
  }
  if (!pipeline.concurrency) pipeline.concurrency = defaultConcurrency(pipeline);
  return pipeline;
}

/**
 * A run's limit when neither the pipeline nor the config sets one: 2 x CPUs, or the largest
 * `concurrency` a task or a pool asks for when that is more. A forEach of 10 GETs at
 * `concurrency: 10` then runs 10 at once, as it says, and not 4 on a 2-core machine.
 */
function defaultConcurrency(pipeline: Pipeline): number {
  let most = 2 * os.availableParallelism();
  for (const task of Object.values(pipeline.tasks)) most = Math.max(most, task.concurrency ?? 0);
  for (const pool of Object.values(pipeline.pools)) most = Math.max(most, pool.concurrency ?? 0);
  return most;
}

function normalizeTask(id: string, own: TaskDoc, defaults: TaskDoc, pipeline: Pipeline, options: NormalizeOptions): TaskSpec {
  // Task keys win over defaults; retry and env merge key by key.
  const task: TaskDoc = { ...defaults, ...own, retry: { ...defaults.retry, ...own.retry }, env: { ...defaults.env, ...own.env } };
  const uses: string = task.uses ?? 'shell';
  const withValues: Record<string, unknown> = { ...task.with };
  if (typeof task.run === 'string') withValues[options.runField?.(uses) ?? 'command'] = task.run;
  const spec: TaskSpec = {
    id,
    uses,
    with: withValues,
    needs: [...new Set<string>(task.needs ?? [])],
    when: task.when ?? 'success',
    locks: task.locks ?? [],
    retry: normalizeRetry(task.retry),
    continueOnError: task.continueOnError === true,
    tags: task.tags ?? [],
    env: stringValues(task.env),
  };
  if (task.if !== undefined) spec.if = task.if;
  if (task.forEach !== undefined) spec.forEach = normalizeForEach(task.forEach);
  if (task.matrix !== undefined) spec.matrix = normalizeMatrix(task.matrix);
  if (typeof task.continueOnError === 'string') spec.continueOnErrorIf = task.continueOnError;
  if (task.concurrency !== undefined) spec.concurrency = task.concurrency;
  const templated: NonNullable<TaskSpec['templated']> = {};
  if (isTemplateString(task.pool)) templated.pool = task.pool;
  else if (task.pool !== undefined) spec.pool = task.pool;
  if (isTemplateString(task.timeout)) templated.timeout = task.timeout;
  else if (task.timeout !== undefined) spec.timeoutMs = parseDuration(task.timeout);
  if (isTemplateString(task.model)) templated.model = task.model;
  if (Object.keys(templated).length) spec.templated = templated;
  if (task.service !== undefined) spec.service = normalizeService(task.service);
  if (task.once === true) spec.once = true;
  if (task.priority !== undefined) spec.priority = task.priority;
  if (task.runsOn !== undefined) spec.runsOn = [...new Set<string>(task.runsOn)].sort();
  if (task.cache !== undefined) spec.cache = task.cache;
  if (task.batch !== undefined) spec.batch = task.batch;
  if (task.description !== undefined) spec.description = task.description;
  if (task.internal === true) spec.internal = true;
  if (task.sources !== undefined) spec.sources = [...task.sources];
  if (task.generates !== undefined) spec.generates = [...task.generates];
  if ((options.usesModel?.(uses) || task.model !== undefined) && !templated.model) {
    const model = allocateModel({ id, tags: spec.tags, ...(task.model !== undefined && { model: task.model }) }, pipeline.models);
    if (model !== undefined) spec.model = model;
  }
  const pos = options.taskPositions?.get(id);
  if (pos) spec.pos = { file: options.file, ...pos };
  return spec;
}

export function normalizeRetry(retry: RetryDoc = {}): RetryPolicy {
  return {
    attempts: retry.attempts ?? DEFAULT_RETRY.attempts,
    delayMs: retry.delay === undefined ? DEFAULT_RETRY.delayMs : parseDuration(retry.delay),
    backoff: retry.backoff ?? DEFAULT_RETRY.backoff,
    factor: retry.factor ?? DEFAULT_RETRY.factor,
    maxDelayMs: retry.maxDelay === undefined ? DEFAULT_RETRY.maxDelayMs : parseDuration(retry.maxDelay),
    jitter: retry.jitter ?? DEFAULT_RETRY.jitter,
  };
}

/** `matrix:` keys are axes, except `include` and `exclude`. */
function normalizeMatrix(matrix: MatrixDoc): MatrixSpec {
  const { include, exclude, ...axes } = matrix;
  const spec: MatrixSpec = { axes };
  if (include !== undefined) spec.include = include;
  if (exclude !== undefined) spec.exclude = exclude;
  return spec;
}

export const DEFAULT_READY_TIMEOUT_MS = 30_000;

function normalizeService(service: ServiceDoc): ServiceSpec {
  const { ready } = service;
  const check: ReadyCheck = ready.http !== undefined ? { http: ready.http } : ready.tcp !== undefined ? { tcp: String(ready.tcp) } : { log: ready.log ?? '' };
  return { ready: check, timeoutMs: service.timeout === undefined ? DEFAULT_READY_TIMEOUT_MS : parseDuration(service.timeout) };
}

function normalizeForEach(forEach: unknown): ForEachSpec {
  if (typeof forEach === 'string' || Array.isArray(forEach)) return { items: forEach };
  const { items, chunk } = forEach as { items: unknown; chunk?: number };
  return chunk === undefined ? { items } : { items, chunk };
}

/** Pools as declared (pipeline or config) with the breaker's cooldown in milliseconds. */
export function normalizePools(pools: Record<string, PoolDoc> | undefined): Record<string, PoolSpec> {
  const out: Record<string, PoolSpec> = {};
  for (const [name, pool] of Object.entries(pools ?? {})) {
    const spec: PoolSpec = {};
    if (pool.concurrency !== undefined) spec.concurrency = pool.concurrency;
    if (pool.rate !== undefined) spec.rate = { ...pool.rate };
    if (pool.tokens !== undefined) spec.tokens = { ...pool.tokens };
    if (pool.adaptive !== undefined) spec.adaptive = pool.adaptive;
    if (pool.breaker !== undefined) {
      const cooldown = pool.breaker.cooldown;
      spec.breaker = { failures: pool.breaker.failures, cooldownMs: cooldown === undefined ? DEFAULT_BREAKER_COOLDOWN_MS : parseDuration(cooldown) };
    }
    out[name] = spec;
  }
  return out;
}

function normalizeBudget(config: Partial<BudgetSpec> | undefined, own: Partial<BudgetSpec> | undefined): BudgetSpec | undefined {
  const merged = { ...config, ...own };
  if (merged.tokens === undefined && merged.costUsd === undefined) return undefined;
  return { ...merged, warnAt: merged.warnAt ?? DEFAULT_WARN_AT };
}

function stringValues(env: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env ?? {})) out[key] = String(value);
  return out;
}
