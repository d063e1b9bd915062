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
  /** Extra switches an executor may read (cache on/off, model price table, API settings). */
  options: Record<string, unknown>;
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
  run(withValues: W, ctx: ExecutorContext): Promise<O>;
}

/** Handlebars helper as plugins provide it. */
export type HelperFn = (...args: unknown[]) => unknown;

/** What a plugin module exports (default export or named `executors` / `helpers`). */
export interface Plugin {
  executors?: Record<string, Executor<any, any>>;
  helpers?: Record<string, HelperFn>;
}

/** A registered executor: its contract plus where the worker thread can import it from. */
export type ExecutorEntry = {
  name: string;
  executor: Executor<any, any>;
  /** file: URL of the compiled module the worker imports. */
  moduleUrl: string;
  /** Where it came from, for `weft plugins`: 'built-in' or the plugin spec. */
  source: string;
};
