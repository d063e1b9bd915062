// The contract every executor implements, built-in or third-party. The engine never imports
// a plugin by name: built-ins are registered through the same `registerPlugin` as any other.

/** A JSON Schema object (draft-07 subset ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** What an executor gets besides its rendered `with`. Plain data plus a signal: it runs in a worker. */
export interface ExecutorContext {
  taskId: string;
  attempt: number;
  /** Aborted on timeout, cancellation or failFast. Executors must stop promptly and kill what they started. */
  signal: AbortSignal;
  /** Project root; relative paths resolve here. */
  root: string;
  /** Environment for child processes: process env + pipeline env + task env. */
  env: Record<string, string>;
  /** Resolved model id (llm tasks). */
  model?: string;
  /** Per-attempt timeout in ms, when the task has one. */
  timeoutMs?: number;
  /** Streams a line to the live log, prefixed by task id there. */
  log(stream: 'stdout' | 'stderr', line: string): void;
  /** Switches the engine passes to every call; an executor may read others it documents. */
  options: ExecutorOptions;
}

/** What the engine puts in `ctx.options`. */
export interface ExecutorOptions {
  /** false with `--no-cache` or the task's `cache: false`. */
  cache?: boolean;
  /** The task's whole template scope, for executors with `needsScope` (template). */
  scope?: Record<string, unknown>;
  /** The project's partials (name -> source), for executors that render templates. */
  partials?: Record<string, string>;
  /** Plugin modules declaring template helpers, for executors that render templates in a worker. */
  helperModules?: string[];
  /** The run's secret values: what an executor keeps beyond the run (a cache) must mask them (createMasker). */
  secrets?: string[];
  /** The executor's own settings (Executor.settings) are merged in beside these. */
  [key: string]: unknown;
}

/**
 * An executor: a JSON Schema for its `with:` and a `run` that does the work.
 * Errors thrown from `run` should be WeftErrors (or carry `code` and `retryable`).
 * @example
 * export const echo: Executor<{ text: string }, string> = {
 *   schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
 *   async run(w) { return w.text; },
 * };
 */
export interface Executor<W = Record<string, unknown>, O = unknown> {
  /** Schema of `with:`; checked at validation time. */
  schema: JsonSchema;
  /** One line shown by `weft plugins`. */
  description?: string;
  /**
   * Fields of `with` whose `{{x}}` is inserted shell-quoted (`{{{x}}}` stays raw).
   * `run:` shorthand maps to the first of these.
   */
  shellFields?: string[];
  /**
   * When true, the task's whole template scope (inputs, tasks, item, …) is passed as
   * `ctx.options.scope`, for executors that render files with it (template).
   */
  needsScope?: boolean;
  /**
   * Fields of `with` the engine passes as written because the executor renders them itself,
   * with the scope (template: `source`, which may read `data`). Rendering them twice would also
   * evaluate any `{{` inside an upstream output.
   */
  rawFields?: string[];
  /**
   * Top-level keys of weft.config.yaml this executor owns, each with the JSON Schema of its value
   * (the llm executor's `anthropic:`). Loading checks them with that schema, at FILE:LINE:COL, and
   * their values are merged into this executor's `ctx.options` and its hooks' options.
   */
  settings?: Record<string, JsonSchema>;
  /** Its tasks are allocated a model from `models:` (default, aliases, allocate), as llm tasks are. */
  usesModel?: boolean;
  /**
   * Every key the output may have, when the output is an object of known shape. `weft validate`
   * then reports a read of `tasks.<id>.output.<other>` at its line, with a did-you-mean.
   */
  outputFields?: string[];
  /**
   * Environment variables holding credentials this executor reads (e.g. an API key). The engine
   * masks their values as `***` in every event and report, like `secrets.*`.
   */
  secretEnv?: string[];
  /**
   * Runs code weft does not control (a user's function) that may block its thread: calls go to
   * threads of their own, and a thread stuck past a call's timeout is terminated and replaced
   * (the calls it shared that thread with are sent to another, at most twice, so they may run
   * again). Other executors' child processes never share such a thread.
   */
  isolate?: boolean;
  /**
   * `always`: calls run on the main thread, not in worker threads, for executors whose work is
   * a socket or another process (http; shell, whose spawns go to helper processes), where a
   * thread hop adds latency and nothing else. Inline code shares the thread with the scheduler,
   * so it must never compute for long.
   */
  inline?: 'always';
  /**
   * Whether calls start processes with `ctx.env` (default true). Before the first such call a
   * run starts its watchdog (a process that kills the run's processes if weft is killed); an
   * executor that starts none says false, and a run of only those forks no watchdog.
   */
  startsProcesses?: boolean;
  /**
   * Worker-thread hook, run while the pool warms up for a run that uses this executor: import
   * what calls need (an SDK, Handlebars) so the first call does not pay for it.
   */
  warmUp?(): Promise<unknown>;
  run(withValues: W, ctx: ExecutorContext): Promise<O>;
  /**
   * Main-thread hook: how much of a pool's token budget (`pools.*.tokens`) one call weighs,
   * e.g. maxTokens plus an input estimate for llm calls. Default 0.
   */
  weigh?(withValues: W, ctx: { model?: string }): number;
  /**
   * Main-thread hook for `weft plan`: the most one call may use, from the task's `with` and its
   * model. What is known at plan time is rendered (inputs, pipeline.name, partials, the item of a
   * forEach over known items); a string that reads `tasks.*`, `secrets.*`, `env.*` or `run.*`
   * is still a template. A field left out is unknown.
   */
  estimate?(withValues: W, ctx: { model?: string; root: string; options: Record<string, unknown> }): { tokens?: number; costUsd?: number };
  /**
   * Main-thread hook run once before any task starts, with every task that uses this executor.
   * Returns problems that make the run impossible (exit 2), e.g. a missing API key.
   */
  preflight?(tasks: Array<{ id: string; with: Record<string, unknown>; model?: string }>, env: Record<string, string | undefined>, options: Record<string, unknown>): Promise<Array<{ id?: string; code: import('./errors.js').WeftErrorCode; message: string }>>;
  /**
   * Optional: run all instances of a `batch: true` forEach task as one call (runs in a worker).
   * Results come back in item order, each an output or an error as data.
   */
  runBatch?(items: W[], ctx: ExecutorContext): Promise<Array<{ ok: true; output: O } | { ok: false; error: import('./types.js').ErrorData }>>;
}

/**
 * Executors may attach run signals to an output under this key; the engine strips it before
 * storing the output: rate-limit headroom for adaptive pools, cache hit or miss for the report.
 */
export const SIGNALS_KEY = '__weft';
export type ExecutorSignals = {
  cache?: 'hit' | 'miss' | undefined;
  /** Fraction (0..1) of the rate limit still available, from anthropic-ratelimit-*-remaining / limit. */
  rateLimitRemaining?: number | undefined;
};

/** Handlebars helper as plugins provide it. */
export type HelperFn = (...args: unknown[]) => unknown;

/** What a plugin module exports (default export or named `executors` / `helpers`). */
export interface Plugin {
  executors?: Record<string, Executor<any, any>>;
  helpers?: Record<string, HelperFn>;
  /**
   * Where a worker thread imports each executor from: a module URL exporting it under its name
   * (`export const shell = …`). Left out, threads import the plugin module itself. A plugin with
   * several executors lists them so each thread loads only those its run uses.
   */
  modules?: Record<string, string>;
}

/** A registered executor: its contract plus where the worker thread can import it from. */
export type ExecutorEntry = {
  name: string;
  executor: Executor<any, any>;
  /** file: URL of the compiled module the worker imports. */
  moduleUrl: string;
  /** Where it came from, for `weft plugins`: 'built-in' or the plugin spec. */
  source: string;
  /** The weft.config.yaml keys it owns (Executor.settings). */
  settingsKeys?: string[];
};
