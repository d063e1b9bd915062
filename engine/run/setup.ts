// Before the first task: everything a run decides once. Inputs, secrets and the masker, the
// template scope, the run's environment, limits, budget and the executor pool.
import path from 'node:path';
import { withDotenv } from '../load/dotenv.js';
import { createMasker, type Masker } from '../mask.js';
import type { ExecutorEntry } from '../executor.js';
import type { Store } from '../store/store.js';
import { createFileHasher } from './file-hashes.js';
import { readFileHashes, type KnownHash } from '../store/file-hashes.js';
import { createJournalWriter, type JournalWriter } from './journal-writer.js';
import { createUpToDate, isCheckable, type UpToDate } from './up-to-date.js';
import { createWatchdog, type Watchdog } from './watchdog.js';
import { createExecutorPool, type ExecutorPool } from '../pool/local.js';
import { loadRegistry, type Registry } from '../load/registry.js';
import { loadPartials } from '../load/partials.js';
import { renderValue, type TemplateEngine } from '../handlebars/render.js';
import { engineFor } from '../load/project.js';
import { createScopeResolver, type ScopeResolver } from './task-scope.js';
import type { BaseScope, Loaded, Pipeline, RunEvent, RunOptions } from '../types.js';
import { createBudgetGate, type BudgetGate } from './budget.js';
import { resolveInputs } from '../input-values.js';
import { executorOptionsBase, preflight } from './preflight.js';
import { readSecrets, secretLookingValues, secretNames } from './scope.js';
import { createTaskStates, type TaskState } from './state.js';
import { createUsageTally, type UsageTally } from './usage.js';
import { envValues, newRunId } from './values.js';

/** How long `when: always|cancelled` tasks may run after a cancel, unless told otherwise. */
export const DEFAULT_GRACE_MS = 30_000;

export type RunPipelineOptions = RunOptions & {
  /** What loading built (loadPipeline's `loaded`): reused instead of built again. */
  loaded?: Pick<Loaded, 'registry' | 'engine' | 'partials'> | undefined;
  registry?: Registry;
  /** An executor pool to reuse; by default one is made for the run and destroyed after. */
  pool?: ExecutorPool;
  /**
   * The project's durable store (engine/store): each task end is journaled as it happens, and
   * tasks with `sources`/`generates` are skipped when up to date. Without it, neither happens.
   */
  store?: Store;
  /** `--force`: run tasks even when up to date; every task, or these task ids. */
  force?: true | readonly string[];
};

/** What the run decided once, shared by the lifecycle and the attempt runner. */
export type RunContext = {
  pipeline: Pipeline;
  options: RunPipelineOptions;
  runId: string;
  startedAt: number;
  dryRun: boolean;
  engine: TemplateEngine;
  masker: Masker;
  scope: BaseScope;
  scopeOf: ScopeResolver;
  /** Process env + the pipeline's rendered `env`: what each task's env starts from. */
  runEnv: Record<string, string>;
  tasks: Map<string, TaskState>;
  emit(event: RunEvent): void;
  usage: UsageTally;
  budget: BudgetGate;
  cache: { hits: number; misses: number };
  /** ctx.options every executor call starts from. */
  execOptions: Record<string, unknown>;
  /** Absent on a dry run. */
  pool?: ExecutorPool;
  /** The pool was made for this run, so the run destroys it. */
  ownPool: boolean;
  concurrency: number;
  groups: Record<string, number>;
  keepGoing: boolean;
  /**
   * Set by cancellation (aborted), by a failure under failFast (stopping), and when the grace
   * period for cleanup tasks is over or a second signal came (killed).
   */
  flags: { aborted: boolean; stopping: boolean; killed: boolean };
  /** How long cleanup tasks may run after a cancel. */
  graceMs: number;
  /** Kills the run's processes should weft die without ending the run (released at the end). */
  watchdog?: Watchdog;
  /** With a store: where task ends go as they happen. */
  journal?: JournalWriter;
  /** With a store: the up-to-date checks of tasks with sources or generates. */
  upToDate?: UpToDate;
};

/**
 * Prepare a run: throws a WeftError (INPUT_INVALID, MISSING_API_KEY, …) for problems found
 * before any task starts.
 * @example const ctx = await setupRun(pipeline, { onEvent })
 */
export async function setupRun(pipeline: Pipeline, options: RunPipelineOptions): Promise<RunContext> {
  const env = withDotenv(pipeline, options.env ?? process.env);
  const inputs = resolveInputs(pipeline, options.inputs);
  const { registry, partials, engine } = options.loaded ?? (await loadParts(pipeline, options.registry));
  // A pool on other machines (a queue) resolves secrets there: the run renders placeholders.
  const remote = options.pool?.placeholdSecrets?.bind(options.pool);
  const secrets = remote ? remote(secretNames(pipeline, engine, partials)) : readSecrets(pipeline, engine, env, partials);
  const secretValues = Object.values(secrets);
  const tasks = createTaskStates(pipeline, registry);
  const executors = executorsOf(tasks);
  // Credentials an executor reads from the environment (ANTHROPIC_API_KEY) are secrets too, though
  // no template names them: a task may print them, an API error may quote them.
  for (const entry of executors) {
    for (const name of entry.executor.secretEnv ?? []) if (env[name]) secretValues.push(env[name]!);
  }
  const masker = createMasker(secretValues);
  const dryRun = options.dryRun === true;
  if (!dryRun) await preflight(pipeline, tasks, remote ? credentialsElsewhere(env, executors) : env, executorOptionsBase(options));

  const startedAt = Date.now();
  const runId = options.runId ?? newRunId(startedAt);
  // `env.X` reads the pipeline's env, then the process environment.
  const scope: BaseScope = { inputs, env: processEnv(env), secrets, tasks: {}, pipeline: { name: pipeline.name }, run: { id: runId } };
  // The pipeline's own env is a template too (inputs, secrets, run id, the process env); it cannot read tasks.
  scope.env = { ...scope.env, ...envValues(renderValue(engine, pipeline.env, scope as unknown as Record<string, unknown>, { where: 'env' })) };
  for (const value of secretLookingValues(scope.env)) masker.add(value);
  // Every process the run starts is marked, so none outlives weft (watchdog.ts).
  const watchdog = dryRun ? undefined : createWatchdog();
  const runEnv = { ...scope.env, ...watchdog?.env };
  const pool = dryRun ? undefined : (options.pool ?? createExecutorPool({ workers: pipeline.config.workers, preload: preloadOf(executors), env: runEnv }));
  // A pool made before the pipeline was known (the CLI starts one while it loads) learns the executors now.
  if (!dryRun) options.pool?.warm?.(preloadOf(executors));
  const sequential = options.sequential || !pipeline.parallel;
  const usage = createUsageTally();
  const store = dryRun ? undefined : options.store;
  const journal = store && createJournalWriter(store, runId, path.relative(pipeline.root, pipeline.file), (message) => emit({ type: 'warning', message }));
  const emit = (event: RunEvent): void => {
    const masked = masker.maskDeep(event);
    if (journal && masked.type === 'task:end') journal.taskEnded(masked.id, masked.result);
    options.onEvent?.(masked);
  };
  const ctx: RunContext = {
    pipeline,
    options,
    runId,
    startedAt,
    dryRun,
    engine,
    masker,
    scope,
    // Tasks from a pipeline template see the call's inputs and their siblings.
    scopeOf: createScopeResolver(scope, engine),
    runEnv,
    tasks,
    emit,
    usage,
    budget: createBudgetGate(pipeline.budget, usage, (message) => emit({ type: 'warning', message })),
    cache: { hits: 0, misses: 0 },
    execOptions: executionOptions(pipeline, options, registry, partials, secretValues),
    ownPool: !dryRun && !options.pool,
    concurrency: sequential ? 1 : Math.max(1, options.concurrency ?? pipeline.concurrency),
    groups: concurrencyGroups(tasks),
    keepGoing: options.keepGoing === true || !pipeline.failFast,
    flags: { aborted: false, stopping: false, killed: false },
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
  };
  if (pool) ctx.pool = pool;
  if (watchdog) {
    ctx.watchdog = watchdog;
    // A run that will surely start a process forks its watchdog now, not inside its first task.
    if (someTask(tasks, startsProcessSurely)) watchdog.arm();
  }
  if (store && journal) attachStore(ctx, store, journal);
  return ctx;
}

/** With a store: task ends are journaled and tasks with `sources` are checked for up to date. */
function attachStore(ctx: RunContext, store: NonNullable<RunPipelineOptions['store']>, journal: NonNullable<RunContext['journal']>): void {
  const { pipeline, options } = ctx;
  ctx.journal = journal;
  ctx.upToDate = createUpToDate({
    store,
    file: path.relative(pipeline.root, pipeline.file),
    hasher: createFileHasher(pipeline.root, keptHashes(store)),
    masker: ctx.masker,
    scope: ctx.scope,
    tasks: ctx.tasks,
    journal,
    ...(options.force && { force: options.force }),
    warn: (message) => ctx.emit({ type: 'warning', message }),
    envKeys: Object.keys(pipeline.env),
  });
}

/** Registry, partials and engine for a pipeline handed over without what loaded it. */
async function loadParts(pipeline: Pipeline, given?: Registry): Promise<Pick<Loaded, 'registry' | 'engine' | 'partials'>> {
  const registry = given ?? (await loadRegistry(pipeline.config.plugins, pipeline.root));
  const partials = await loadPartials(pipeline.config);
  return { registry, partials, engine: engineFor(registry, partials) };
}

/**
 * The env preflight checks when workers elsewhere hold the credentials (ANTHROPIC_API_KEY): they
 * count as set here, and an attempt on a worker without one fails with MISSING_API_KEY there.
 */
function credentialsElsewhere(env: Record<string, string | undefined>, executors: ExecutorEntry[]): Record<string, string | undefined> {
  const out = { ...env };
  for (const entry of executors) for (const name of entry.executor.secretEnv ?? []) out[name] ??= '(on the workers)';
  return out;
}

/** The executors the run's tasks use, each once. */
function executorsOf(tasks: Map<string, TaskState>): ExecutorEntry[] {
  const entries = new Set<ExecutorEntry>();
  for (const state of tasks.values()) entries.add(state.entry);
  return [...entries];
}

function processEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** The executors each thread loads as it starts: those the run uses that have a module. */
function preloadOf(executors: ExecutorEntry[]): ExecutorEntry[] {
  return executors.filter((e) => e.moduleUrl);
}

/** `concurrency:` on a task caps its instances as a group; on a template call, every instance of its tasks together. */
function concurrencyGroups(tasks: Map<string, TaskState>): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const { spec } of tasks.values()) if (spec.concurrency) groups[spec.group ?? spec.id] = spec.concurrency;
  return groups;
}

function executionOptions(
  pipeline: Pipeline,
  options: RunPipelineOptions,
  registry: Registry,
  partials: Record<string, string>,
  secretValues: string[],
): Record<string, unknown> {
  const execOptions = executorOptionsBase(options);
  // What an executor stores beyond the run (the llm response cache) must not hold these:
  // ctx.options.secrets, masked with createMasker from weft/plugin.
  if (secretValues.length) execOptions['secrets'] = secretValues;
  // Template files rendered in workers (needsScope executors) get the same partials, and the
  // plugin modules whose helpers they import there (functions cannot cross the thread).
  if (Object.keys(partials).length) execOptions['partials'] = partials;
  const helperModules = [...new Set([...registry.helpers.values()].map((h) => h.moduleUrl))];
  if (helperModules.length) execOptions['helperModules'] = helperModules;
  return execOptions;
}

/** Source hashes kept by earlier runs; none when the store cannot give them (they are only a shortcut). */
function keptHashes(store: Store): (files: readonly string[]) => Map<string, KnownHash> {
  return (files) => {
    try {
      return readFileHashes(store, files);
    } catch {
      return new Map();
    }
  };
}

/** Whether any task passes `test`, without an array of them all. */
function someTask(tasks: Map<string, TaskState>, test: (state: TaskState) => boolean): boolean {
  for (const state of tasks.values()) if (test(state)) return true;
  return false;
}

/**
 * A task that starts processes and has no up-to-date check to skip it (the watchdog is armed
 * lazily, at the first attempt, for the rest: a run whose tasks are all up to date forks none).
 */
function startsProcessSurely(state: TaskState): boolean {
  return state.entry.executor.startsProcesses !== false && !isCheckable(state);
}
