// The data weft passes around: a loaded pipeline, run results, events and the report.
// Shapes only; behaviour lives in the modules named after each concept.

/** A source position, 1-based, for `FILE:LINE:COL: message`. */
export type SourcePos = { file: string; line: number; col: number };

/** One problem found while loading or validating. Validation returns all of them as data. */
export type Problem = SourcePos & {
  code: import('./errors.js').WeftErrorCode;
  message: string;
  taskId?: string;
};

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export type InputSpec = {
  type: InputType;
  default?: unknown;
  description?: string;
  required?: boolean;
  enum?: unknown[];
};

export type Backoff = 'fixed' | 'linear' | 'exponential';

/** Retry policy with durations already in milliseconds. `attempts` counts the first try. */
export type RetryPolicy = {
  attempts: number;
  delayMs: number;
  backoff: Backoff;
  factor: number;
  maxDelayMs: number;
  jitter: boolean;
};

export type RatePer = 'second' | 'minute' | 'hour';

export type PoolSpec = {
  concurrency?: number;
  /** Requests per `per`, with an optional burst (bucket size). */
  rate?: { limit: number; per: RatePer; burst?: number };
  /** Token-weighted budget per `per` (llm pools): each task weighs its estimated tokens. */
  tokens?: { limit: number; per: RatePer };
  adaptive?: boolean;
  breaker?: { failures: number; cooldownMs: number };
};

export type ModelsSpec = {
  default?: string;
  aliases: Record<string, string>;
  /** alias -> task ids or `tag:<tag>`; first match wins. */
  allocate: Record<string, string[]>;
};

export type BudgetSpec = { tokens?: number; costUsd?: number; warnAt: number };

/**
 * `success`: every need succeeded. `always`: every need ended, and on cancel (Ctrl-C, SIGTERM)
 * too, within the grace period. `failure`: some need failed. `cancelled`: only when the run is cancelled.
 */
export type When = 'success' | 'always' | 'failure' | 'cancelled';

/** `matrix:` as written: axes (arrays or templates giving arrays), `include` and `exclude`. */
export type MatrixSpec = { axes: Record<string, unknown>; include?: unknown; exclude?: unknown };

/** How a service says it is ready: an http URL answering 2xx, a TCP port accepting, a log line matching. */
export type ReadyCheck = { http: string } | { tcp: string } | { log: string };

/** `service:` on a task: it stays up while dependents run; they start once `ready` passes. */
export type ServiceSpec = { ready: ReadyCheck; timeoutMs: number };

/**
 * A condition of an enclosing template call: rendered in the call's own scope (the caller's
 * inputs, its loop's `item`), and a falsy one skips the task like its own `if`.
 */
export type CallGuard = { if: string; scope?: TemplateScope };

/** `forEach`: a template (or literal array) and an optional chunk size. */
export type ForEachSpec = { items: unknown; chunk?: number };

/** A task as declared, with defaults merged and durations parsed. String values are still templates. */
export type TaskSpec = {
  id: string;
  uses: string;
  with: Record<string, unknown>;
  needs: string[];
  when: When;
  if?: string;
  /** Conditions of the template calls this task came from, outermost first. */
  guards?: CallGuard[];
  forEach?: ForEachSpec;
  /** `matrix:`: one instance per leg, named by its values (`test[os=linux,node=20]`). */
  matrix?: MatrixSpec;
  /**
   * Set when `forEach`/`matrix` came from a template call: the items render in the call's own
   * scope (the caller's tasks and inputs), not the template's.
   */
  loopScope?: { scope?: TemplateScope };
  concurrency?: number;
  pool?: string;
  locks: string[];
  retry: RetryPolicy;
  timeoutMs?: number;
  continueOnError: boolean;
  /** `continueOnError` as a template (per instance, e.g. `{{item.experimental}}`). */
  continueOnErrorIf?: string;
  /**
   * Fields written as templates, rendered per instance (they may read `item`/`matrix`):
   * `timeout` (a duration), `pool` and `model` (an alias or id).
   */
  templated?: { timeout?: string; pool?: string; model?: string };
  /** A long-running task its dependents use while it is up (see ServiceSpec). */
  service?: ServiceSpec;
  /** From a template: runs once per run however many calls include it; every call shares its output. */
  once?: boolean;
  /** What makes two `once` tasks the same task: the template's file and the task's id in it. */
  onceKey?: string;
  /** Scheduler group `concurrency` limits (default: the task's id); a template call's tasks share the call's. */
  group?: string;
  /** Resolved model id for llm tasks (alias already resolved by allocation). */
  model?: string;
  tags: string[];
  /** Worker tags a task needs on a queue (`weft worker --tags`), sorted; absent: any worker. */
  runsOn?: string[];
  priority?: number;
  env: Record<string, string>;
  /** Executor-independent switches used by some executors (llm): response cache, batch mode. */
  cache?: boolean;
  batch?: boolean;
  /** Where the task is declared, for errors raised at run time. */
  pos?: SourcePos;
  /** One line for `weft list PIPELINE`. */
  description?: string;
  /** A helper: not listed by `weft list PIPELINE`, not nameable as a target. */
  internal?: boolean;
  /** Globs of the files the task reads (up-to-date checks, engine/run/fingerprint). */
  sources?: string[];
  /** Globs of the files the task writes (up-to-date checks). */
  generates?: string[];
  /** Set on tasks that come from a pipeline template: their own view of `inputs`, `env`, `tasks`. */
  scope?: TemplateScope;
  /**
   * A template call's join: it waits for the template's tasks, no executor runs, and its output
   * is the template's `outputs` (held in `with`), rendered in the template's scope.
   */
  join?: boolean;
};

/**
 * What the tasks of one pipeline-template call see (engine/templates). Shared by every task of
 * the call; nested calls point at their caller's scope through `parent`.
 */
export type TemplateScope = {
  /** The call's namespace, e.g. `audit` or `audit.checks`: local task `x` has id `<namespace>.x`. */
  namespace: string;
  /** The template's name, for messages. */
  template: string;
  /** The template's file. */
  file?: string;
  /** The call's `with`, still templates: rendered once, in the caller's scope, as `inputs`. */
  with: Record<string, unknown>;
  /** The template's declared inputs: defaults and types applied to the rendered `with`. */
  inputs: Record<string, InputSpec>;
  /** The template's own `env:`, visible as `env.*` inside it. */
  env: Record<string, string>;
  /** Local ids of the template's tasks, readable as `tasks.<local id>` inside it. */
  tasks: string[];
  /** Local ids that stand for a task outside the namespace: a `once: true` task another call ran. */
  ids?: Record<string, string>;
  /**
   * The call has `forEach`/`matrix`: each of its tasks fans out over the same legs, its `with`
   * renders per leg (reading `item`), and a task reads its siblings' output of the same leg.
   */
  fanout?: boolean;
  /** The scope the call itself sits in; absent when the caller is the pipeline. */
  parent?: TemplateScope;
};

/** Settings from `weft.config.yaml`, before a pipeline's own keys override them. */
export type WeftConfig = {
  /** Folder holding weft.config.yaml, else the current directory. Relative paths resolve here. */
  root: string;
  pipelinesDir: string;
  templatesDir: string;
  partialsDir: string;
  concurrency?: number;
  /** Worker threads in the executor pool (default: CPU count). */
  workers?: number;
  parallel: boolean;
  pools: Record<string, PoolSpec>;
  models?: Partial<ModelsSpec>;
  budget?: Partial<BudgetSpec>;
  plugins: string[];
  /** redis://HOST:PORT: run attempts on `weft worker` processes (engine/pool/queue.ts). */
  queue?: string;
  /** Keys of weft.config.yaml that executors own (Executor.settings), by key, as written. */
  settings: Record<string, unknown>;
  /** `.env` files every pipeline loads, relative to the root. */
  dotenv?: string[];
  /** Path of the config file, when there is one. */
  file?: string;
};

/** A loaded, validated pipeline: everything the scheduler needs. */
export type Pipeline = {
  name: string;
  description?: string;
  file: string;
  root: string;
  inputs: Record<string, InputSpec>;
  env: Record<string, string>;
  concurrency: number;
  failFast: boolean;
  parallel: boolean;
  pools: Record<string, PoolSpec>;
  models: ModelsSpec;
  budget?: BudgetSpec;
  /** Tasks in declaration order. */
  tasks: Record<string, TaskSpec>;
  outputs: Record<string, unknown>;
  config: WeftConfig;
  /** `default:`: the targets `weft run PIPELINE` runs when none is named. */
  targets?: string[];
  /** `.env` files of the pipeline (after the config's), relative to the root. */
  dotenv?: string[];
};

/**
 * What loading built besides the pipeline, for the run, the plan and the CLI to reuse: the
 * plugin registry, the template engine, the partials, and every file the pipeline came from.
 */
export type Loaded = {
  registry: import('./load/registry.js').Registry;
  engine: import('./handlebars/render.js').TemplateEngine;
  partials: Record<string, string>;
  files: import('./load/project.js').SourceFile[];
  /** One hash over `files` and the partials: a kept run is resumed only when it matches. */
  sourceHash: string;
};

export type LoadResult = { pipeline?: Pipeline; loaded?: Loaded; problems: Problem[] };

export type LoadOptions = {
  /** Pipelines folder; overrides config `pipelinesDir`. */
  dir?: string | undefined;
  /** Where to look for weft.config.yaml (default: process.cwd()). */
  cwd?: string;
};

/** `weft plan`: batches are a picture of what may run together, not the execution order. */
export type Plan = {
  batches: string[][];
  criticalPath: string[];
  models: Record<string, string>;
};

/** `up-to-date`: not run, its sources, definition and needs unchanged since its last success (engine/run/up-to-date.ts). */
export type TaskStatus = 'success' | 'up-to-date' | 'failed' | 'skipped' | 'cancelled';
export type RunStatus = 'success' | 'failed' | 'cancelled';

/** An error as data: what crosses threads, lands in reports and decides retries. */
export type ErrorData = {
  code: import('./errors.js').WeftErrorCode;
  message: string;
  retryable?: boolean;
  /** Server-requested wait before the next attempt (retry-after). */
  retryAfterMs?: number;
  status?: number;
};

/** The end of one stream of one attempt: at most the last 64 KiB, and how many bytes came before. */
export type OutputTail = { text: string; droppedBytes: number };

/** One attempt of a task, kept in the report so a retried or failed task shows each try. */
export type AttemptRecord = {
  attempt: number;
  startedAt: number;
  endedAt: number;
  status: 'success' | 'failed' | 'cancelled';
  error?: ErrorData;
  stdout?: OutputTail;
  stderr?: OutputTail;
};

type Timing = {
  attempts: number;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  /** Each attempt that ran, in order (absent when none ran: resumed, dry run, template error). */
  attemptLog?: AttemptRecord[];
};

export type TaskResult =
  /** `resumed`: not run again; the output is the one the resumed run reported (RunOptions.resume). */
  | ({ status: 'success'; output: unknown; resumed?: true } & Timing)
  /** `tolerated`: the task has `continueOnError`, so this failure does not fail the run. */
  /** Skipped as up to date: the output is the one its last success recorded (masked). */
  | ({ status: 'up-to-date'; output: unknown } & Timing)
  | ({ status: 'failed'; error: ErrorData; output?: unknown; tolerated?: true } & Timing)
  | { status: 'skipped'; attempts: number; reason: SkipReason }
  | ({ status: 'cancelled'; reason?: string } & Partial<Timing> & { attempts: number });

export type SkipReason = 'upstream' | 'condition' | 'cancelled' | 'budget' | 'when';

export type ModelUsage = { inputTokens: number; outputTokens: number; costUsd: number };

export type RunReport = {
  pipeline: string;
  runId: string;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  tasks: Record<string, TaskResult>;
  outputs: Record<string, unknown>;
  usage: { byModel: Record<string, ModelUsage>; totalTokens: number; costUsd: number };
  error?: ErrorData;
  cache?: { hits: number; misses: number };
  /** The run this one resumed (RunOptions.resume), when it resumed one. */
  resumedFrom?: string;
  /** Each declared task's `needs` (tasks that need nothing are left out): the page draws the graph from it. */
  needs?: Record<string, string[]>;
};

export type RunEvent =
  | { type: 'run:start'; runId: string; pipeline: string; total: number; at: number }
  | { type: 'task:start'; id: string; attempt: number; at: number }
  | { type: 'task:log'; id: string; stream: 'stdout' | 'stderr'; line: string }
  /** A forEach resolved into `instances` instances (ids `id[0]`…): the run's task count grows by instances - 1. */
  | { type: 'task:expand'; id: string; instances: number }
  | { type: 'task:retry'; id: string; attempt: number; delayMs: number; error: ErrorData }
  | { type: 'task:end'; id: string; result: TaskResult }
  | { type: 'warning'; message: string; id?: string }
  | { type: 'run:end'; report: RunReport };

export type RunOptions = {
  inputs?: Record<string, unknown> | undefined;
  concurrency?: number | undefined;
  sequential?: boolean | undefined;
  keepGoing?: boolean | undefined;
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: RunEvent) => void) | undefined;
  /** Environment for secrets and shell tasks (default: process.env). */
  env?: Record<string, string | undefined> | undefined;
  noCache?: boolean | undefined;
  runId?: string | undefined;
  /**
   * A previous run's report: an instance that succeeded there ends with that output instead of
   * running, provided every task it needs was reused too. Its outputs are masked, so a secret in
   * them reaches downstream templates as `***`.
   */
  resume?: RunReport | undefined;
  /**
   * After `signal` aborts, how long `when: always` and `when: cancelled` tasks may run (ms,
   * default 30 000); then they are aborted too.
   */
  graceMs?: number | undefined;
  /** Aborted: end the cleanup tasks at once (a second Ctrl-C). */
  kill?: AbortSignal | undefined;
};

/** What `tasks.<id>` shows to templates: the task's status and output (outputs and errors for a fan-out). */
export type TaskView = {
  status: string;
  output: unknown;
  outputs?: unknown[];
  errors?: unknown[];
};

/** The template scope every task starts from; instances add `item` and `index`. */
export type BaseScope = {
  inputs: Record<string, unknown>;
  env: Record<string, string>;
  secrets: Record<string, string>;
  tasks: Record<string, TaskView>;
  pipeline: { name: string };
  run: { id: string };
};

/** One instance of a loop: its item (a matrix leg is an item too), index and, for a matrix, the leg. */
export type Leg = { item: unknown; index: number; matrix?: Record<string, unknown> };
