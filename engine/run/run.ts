import { WeftError, toErrorData } from '../errors.js';
import type { ExecutorSignals } from '../executor.js';
import { createMasker } from '../mask.js';
import { createExecutorPool, type CallContext, type ExecutorPool } from '../pool/local.js';
import { loadRegistry, type Registry } from '../load/registry.js';
import { nextDelay, shouldRetry } from './retry.js';
import { createBudgetGate } from './budget.js';
import { resolveInputs } from './inputs.js';
import { executorOptionsBase, preflight } from './preflight.js';
import { buildReport } from './report.js';
import { resumedResult } from './resume.js';
import { readSecrets, type BaseScope } from './scope.js';
import { createTaskStates, failedResult, successResult, taskOk, timing, type Instance, type TaskState } from './state.js';
import { createUsageTally } from './usage.js';
import { chunked, isTruthy, newRunId, splitSignals } from './values.js';
import { createScheduler, type Unit } from '../schedule/scheduler.js';
import { createTemplateEngine, renderValue, type TemplateEngine } from '../handlebars/render.js';
import { loadPartials } from '../load/partials.js';
import { joinOutcome } from '../load/pipeline-templates/join.js';
import { createScopeResolver } from '../load/pipeline-templates/task-scope.js';
import type { ErrorData, Pipeline, RunEvent, RunOptions, RunReport, RetryPolicy, SkipReason, TaskResult } from '../types.js';

/** How long past a task's timeout the main thread waits for its worker to report the timeout itself. */
const TIMEOUT_BACKSTOP_MS = 5000;

export type RunPipelineOptions = RunOptions & {
  registry?: Registry;
  /** An executor pool to reuse; by default one is made for the run and destroyed after. */
  pool?: ExecutorPool;
};

/**
 * Run a loaded pipeline: a ready-queue scheduler starts each task the moment its needs are met
 * and a slot is free; executors run on a Piscina worker pool.
 * Throws a WeftError (INPUT_INVALID, MISSING_API_KEY, …) only for problems found before any task
 * starts; task failures are in the report.
 * @example
 * const { pipeline } = await loadPipeline('hello');
 * const report = await runPipeline(pipeline!, { onEvent: (e) => console.log(e.type) });
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions = {}): Promise<RunReport> {
  const env = options.env ?? process.env;
  const inputs = resolveInputs(pipeline, options.inputs);
  const registry = options.registry ?? (await loadRegistry(pipeline.config.plugins, pipeline.root));
  const helpers = Object.fromEntries([...registry.helpers].map(([name, h]) => [name, h.fn]));
  const partials = await loadPartials(pipeline.config);
  const engine: TemplateEngine = createTemplateEngine({ helpers, partials });
  const secrets = readSecrets(pipeline, engine, env);
  const masker = createMasker(Object.values(secrets));

  const tasks = createTaskStates(pipeline, registry);
  // Credentials an executor reads from the environment (ANTHROPIC_API_KEY) are secrets too, though
  // no template names them: a task may print them, an API error may quote them.
  for (const { entry } of tasks.values()) {
    for (const name of entry.executor.secretEnv ?? []) if (env[name]) masker.add(env[name]!);
  }

  if (!options.dryRun) await preflight(pipeline, tasks, env, executorOptionsBase(pipeline, options));

  const startedAt = Date.now();
  const runId = options.runId ?? newRunId(startedAt);
  const emit = (event: RunEvent): void => {
    if (options.onEvent) options.onEvent(masker.maskDeep(event));
  };

  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) processEnv[k] = v;
  const runEnv = { ...processEnv, ...pipeline.env };
  const scope: BaseScope = {
    inputs,
    env: pipeline.env,
    secrets,
    tasks: {},
    pipeline: { name: pipeline.name },
    run: { id: runId },
  };
  // Tasks from a pipeline template see the call's inputs and their siblings (engine/templates).
  const scopeOf = createScopeResolver(scope, engine);

  const sequential = options.sequential || !pipeline.parallel;
  const concurrency = sequential ? 1 : Math.max(1, options.concurrency ?? pipeline.concurrency);
  const groups: Record<string, number> = {};
  for (const { spec } of tasks.values()) if (spec.concurrency) groups[spec.id] = spec.concurrency;

  const usage = createUsageTally();
  const budget = createBudgetGate(pipeline.budget, usage, (message) => emit({ type: 'warning', message }));
  const cache = { hits: 0, misses: 0 };
  const keepGoing = options.keepGoing || !pipeline.failFast;
  let stopping = false;
  let aborted = false;
  let finished = 0;
  const running = new Set<Instance>();
  const retryTimers = new Set<NodeJS.Timeout>();
  const byUnit = new Map<string, Instance>();

  const ownPool = !options.dryRun && !options.pool;
  const preload = [...new Set([...tasks.values()].map((t) => t.entry.moduleUrl))];
  const pool = options.dryRun ? undefined : (options.pool ?? createExecutorPool({ workers: pipeline.config.workers, preload, env: runEnv }));
  const execOptions = executorOptionsBase(pipeline, options);
  // Template files rendered in workers (needsScope executors) get the same partials, and the
  // plugin modules whose helpers they import there (functions cannot cross the thread).
  if (Object.keys(partials).length) execOptions.partials = partials;
  const helperModules = [...new Set([...registry.helpers.values()].map((h) => h.moduleUrl))];
  if (helperModules.length) execOptions.helperModules = helperModules;

  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const scheduler = createScheduler({
    concurrency,
    groups,
    pools: pipeline.pools,
    start: (unit, info) => startInstance(byUnit.get(unit.id)!, info.circuitOpen),
  });

  const onAbort = (): void => {
    aborted = true;
    stopping = true;
    for (const inst of running) inst.controller?.abort(new WeftError('TASK_CANCELLED', 'run cancelled'));
    for (const timer of retryTimers) clearTimeout(timer);
    for (const timer of retryTimers) retryTimers.delete(timer);
    for (const state of tasks.values()) {
      for (const inst of state.instances) {
        if (!inst.result && !running.has(inst)) endInstance(inst, { status: 'skipped', attempts: inst.attempt, reason: 'cancelled' });
      }
    }
    drainUnresolved('cancelled');
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  emit({ type: 'run:start', runId, pipeline: pipeline.name, total: tasks.size, at: startedAt });

  /** Every need has ended: decide whether the task runs, then expand it into instances. */
  function resolveTask(state: TaskState): void {
    const { spec } = state;
    const needs = spec.needs.map((id) => tasks.get(id)!);
    if (aborted) return skipTask(state, 'cancelled');
    if (spec.when === 'success' && !needs.every(taskOk)) return skipTask(state, 'upstream');
    if (spec.when === 'failure') {
      const failedUpstream = needs.some((n) => (n.status === 'failed' && !n.spec.continueOnError) || n.skipReason === 'upstream');
      if (!failedUpstream) return skipTask(state, 'when');
    }
    if (stopping && spec.when === 'success') return skipTask(state, 'cancelled');
    if (spec.join) return endJoin(state, needs);

    const where = `task ${spec.id}`;
    let items: unknown[] | undefined;
    try {
      if (spec.if !== undefined && !isTruthy(renderValue(engine, spec.if, scopeOf(spec), { where: `${where} if` }))) {
        return skipTask(state, 'condition');
      }
      if (spec.forEach) {
        const value = renderValue(engine, spec.forEach.items, scopeOf(spec), { where: `${where} forEach` });
        if (!Array.isArray(value)) {
          throw new WeftError('TEMPLATE_ERROR', `${where}: forEach must give an array, got ${value === null ? 'null' : typeof value}`);
        }
        items = chunked(value, spec.forEach.chunk);
      }
    } catch (error) {
      if (options.dryRun && spec.forEach) items = ['<item>'];
      else return failTask(state, toErrorData(error, 'TEMPLATE_ERROR'));
    }

    if (items === undefined) {
      addInstance(state, spec.id, 0, undefined, false);
    } else if (items.length === 0) {
      state.resumed = needs.every((n) => n.resumed);
      state.status = 'success';
      publishTask(state);
      return afterTask(state);
    } else {
      for (let i = 0; i < items.length; i++) addInstance(state, `${spec.id}[${i}]`, i, items[i], true);
    }
    state.open = state.instances.length;
    // Reuse only when every need was reused: a need that ran again may have changed this task's inputs.
    if (options.resume && needs.every((n) => n.resumed)) {
      const now = Date.now();
      const reused = state.instances.map((inst) => resumedResult(options.resume!, inst.id, items?.length, now));
      state.resumed = reused.every(Boolean);
      state.instances.forEach((inst, i) => reused[i] && endInstance(inst, reused[i]));
    }
    if (spec.batch && state.entry.executor.runBatch && items !== undefined) return scheduleBatch(state);
    for (const inst of state.instances) {
      if (!inst.result) prepareAndPush(inst);
    }
  }

  function addInstance(state: TaskState, id: string, index: number, item: unknown, hasItem: boolean): void {
    const unit: Unit = { id, priority: state.priority, locks: [] };
    if (state.spec.concurrency) unit.group = state.spec.id;
    if (state.spec.pool) unit.pool = state.spec.pool;
    const inst: Instance = { id, task: state, index, unit, with: {}, env: runEnv, attempt: 0 };
    if (hasItem) inst.item = item;
    state.instances.push(inst);
    byUnit.set(id, inst);
  }

  function instanceScope(inst: Instance): Record<string, unknown> {
    const base = scopeOf(inst.task.spec);
    return 'item' in inst ? { ...base, item: inst.item, index: inst.index } : base;
  }

  /** A template call ends once its template's tasks have; its output is the template's outputs. */
  function endJoin(state: TaskState, needs: TaskState[]): void {
    const { spec } = state;
    const outcome = joinOutcome(
      spec.id,
      needs.map((n) => ({ id: n.spec.id, status: n.status, continueOnError: n.spec.continueOnError, skipReason: n.skipReason })),
    );
    addInstance(state, spec.id, 0, undefined, false);
    state.open = 1;
    state.resumed = needs.every((n) => n.resumed);
    const inst = state.instances[0]!;
    let result: TaskResult;
    if (outcome.status === 'success') {
      try {
        const output = options.dryRun
          ? { dryRun: true, outputs: spec.with }
          : renderValue(engine, spec.with, scopeOf(spec), { where: `task ${spec.id} outputs` });
        result = successResult(inst, output);
      } catch (error) {
        result = failedResult(inst, toErrorData(error, 'TEMPLATE_ERROR'));
      }
    } else if (outcome.status === 'failed') result = failedResult(inst, outcome.error);
    else if (outcome.status === 'skipped') result = { status: 'skipped', attempts: 0, reason: outcome.reason };
    else result = { status: 'cancelled', attempts: 0 };
    endInstance(inst, result);
  }

  /** Render what the instance needs before it can be scheduled: `with`, env, lock keys, weight. */
  function render(inst: Instance): void {
    const { spec, entry } = inst.task;
    const where = `task ${inst.id}`;
    const s = instanceScope(inst);
    const { shellFields = [], rawFields = [] } = entry.executor;
    const rendered: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(spec.with)) {
      rendered[key] = rawFields.includes(key)
        ? value
        : renderValue(engine, value, s, { shell: shellFields.includes(key), where: `${where} with.${key}` });
    }
    inst.with = rendered;
    if (Object.keys(spec.env).length) {
      inst.env = { ...runEnv, ...(renderValue(engine, spec.env, s, { where: `${where} env` }) as Record<string, string>) };
    }
    if (spec.locks.length) inst.unit.locks = spec.locks.map((l) => String(renderValue(engine, l, s, { where: `${where} locks` })));
    if (entry.executor.weigh) inst.unit.weight = entry.executor.weigh(rendered, { model: spec.model });
  }

  function prepareAndPush(inst: Instance): void {
    try {
      render(inst);
    } catch (error) {
      if (!options.dryRun) return endInstance(inst, failedResult(inst, toErrorData(error, 'TEMPLATE_ERROR')));
      inst.with = { ...inst.task.spec.with };
    }
    scheduler.push(inst.unit);
  }

  function scheduleBatch(state: TaskState): void {
    const batchUnit: Unit = { id: state.spec.id, priority: state.priority, locks: [], weight: 0 };
    if (state.spec.pool) batchUnit.pool = state.spec.pool;
    for (const inst of state.instances) {
      try {
        render(inst);
        batchUnit.weight! += inst.unit.weight ?? 0;
      } catch (error) {
        endInstance(inst, failedResult(inst, toErrorData(error, 'TEMPLATE_ERROR')));
      }
    }
    const pending = state.instances.filter((i) => !i.result);
    if (!pending.length) return;
    const leader: Instance = { ...pending[0]!, id: state.spec.id, unit: batchUnit };
    byUnit.set(batchUnit.id, leader);
    batchMembers.set(batchUnit.id, pending);
    scheduler.push(batchUnit);
  }
  const batchMembers = new Map<string, Instance[]>();

  function startInstance(inst: Instance, circuitOpen: boolean): void {
    const members = batchMembers.get(inst.unit.id);
    const { spec } = inst.task;
    const gate = gateReason(inst);
    if (gate) {
      scheduler.done(inst.unit.id, { ok: true, skipped: true });
      for (const m of members ?? [inst]) endInstance(m, { status: 'skipped', attempts: m.attempt, reason: gate });
      return;
    }
    if (circuitOpen) {
      scheduler.done(inst.unit.id, { ok: false });
      const error: ErrorData = { code: 'CIRCUIT_OPEN', message: `pool ${spec.pool}: circuit open after repeated failures` };
      for (const m of members ?? [inst]) endInstance(m, failedResult(m, error));
      return;
    }
    if (members) void runBatchAttempt(inst, members);
    else void runAttempt(inst);
  }

  /** Why a ready instance must not start after all: cancelled, failFast, or the budget. */
  function gateReason(inst: Instance): SkipReason | undefined {
    if (aborted) return 'cancelled';
    if (stopping && inst.task.spec.when === 'success') return 'cancelled';
    if (budget.spent && inst.task.spec.model) return 'budget';
    return undefined;
  }

  function attemptContext(inst: Instance, controller: AbortController) {
    const { spec, entry } = inst.task;
    // Built once per task: per attempt it was a measurable share of a 10k-task run's garbage.
    let ctxOptions = (inst.task.ctxOptions ??= { ...execOptions, cache: spec.cache !== false && !options.noCache });
    if (entry.executor.needsScope) ctxOptions = { ...ctxOptions, scope: instanceScope(inst) };
    const ctx: CallContext = { taskId: inst.id, attempt: inst.attempt, root: pipeline.root, options: ctxOptions };
    // Left out, the worker uses the run's env it was given once at pool start.
    if (inst.env !== runEnv || !ownPool) ctx.env = inst.env;
    if (spec.model) ctx.model = spec.model;
    if (spec.timeoutMs) ctx.timeoutMs = spec.timeoutMs;
    // The worker enforces the timeout from the moment the executor starts; this backstop only
    // catches a worker too busy to notice (a node function stuck in a loop).
    let timer: NodeJS.Timeout | undefined;
    if (spec.timeoutMs) {
      timer = setTimeout(
        () => controller.abort(new WeftError('TASK_TIMEOUT', `timed out after ${spec.timeoutMs}ms`, { retryable: true })),
        spec.timeoutMs + TIMEOUT_BACKSTOP_MS,
      );
    }
    return { ctx, clear: () => timer && clearTimeout(timer) };
  }

  async function runAttempt(inst: Instance): Promise<void> {
    inst.attempt += 1;
    inst.startedAt ??= Date.now();
    emit({ type: 'task:start', id: inst.id, attempt: inst.attempt, at: Date.now() });
    if (options.dryRun) {
      scheduler.done(inst.unit.id, { ok: true, skipped: true });
      return endInstance(inst, successResult(inst, { dryRun: true, uses: inst.task.spec.uses, with: inst.with }));
    }
    const controller = new AbortController();
    inst.controller = controller;
    running.add(inst);
    const { ctx, clear } = attemptContext(inst, controller);
    try {
      const raw = await pool!.run(inst.task.entry, inst.with, ctx, {
        signal: controller.signal,
        onLog: (stream, line) => emit({ type: 'task:log', id: inst.id, stream, line }),
      });
      clear();
      running.delete(inst);
      const { output, signals } = splitSignals(raw);
      // Time and account the result before freeing the slot: done() may start the next unit
      // synchronously, and its budget gate must see what this one spent.
      const result = successResult(inst, output);
      countSignals(signals);
      budget.account(output);
      scheduler.done(inst.unit.id, { ok: true, rateLimitRemaining: signals?.rateLimitRemaining });
      endInstance(inst, result);
    } catch (error) {
      clear();
      running.delete(inst);
      const data = toErrorData(error);
      const failed = aborted ? { ...timing(inst), status: 'cancelled' as const, reason: data.message } : failedResult(inst, data);
      const overloaded = data.status === 429 || data.status === 529 || data.code === 'RATE_LIMITED' || data.code === 'OVERLOADED';
      scheduler.done(inst.unit.id, { ok: false, overloaded });
      if (!retryLater(inst.id, inst.unit, data, inst.attempt, inst.task.spec.retry)) endInstance(inst, failed);
    }
  }

  async function runBatchAttempt(leader: Instance, members: Instance[]): Promise<void> {
    for (const m of members) {
      m.attempt += 1;
      m.startedAt ??= Date.now();
      emit({ type: 'task:start', id: m.id, attempt: m.attempt, at: Date.now() });
    }
    const controller = new AbortController();
    leader.controller = controller;
    running.add(leader);
    const { ctx, clear } = attemptContext(leader, controller);
    try {
      const results = await pool!.runBatch(leader.task.entry, members.map((m) => m.with), ctx, {
        signal: controller.signal,
        onLog: (stream, line) => emit({ type: 'task:log', id: leader.id, stream, line }),
      });
      clear();
      running.delete(leader);
      // As for one call: results timed and spend accounted before done() may start the next unit.
      const ended = members.map((m, i): [Instance, TaskResult] => {
        const r = results[i];
        if (!r || !r.ok) return [m, failedResult(m, r ? r.error : { code: 'INTERNAL', message: 'batch returned no result' })];
        const { output, signals } = splitSignals(r.output);
        countSignals(signals);
        budget.account(output);
        return [m, successResult(m, output)];
      });
      scheduler.done(leader.unit.id, { ok: true });
      for (const [m, result] of ended) endInstance(m, result);
    } catch (error) {
      clear();
      running.delete(leader);
      const data = toErrorData(error);
      scheduler.done(leader.unit.id, { ok: false });
      if (retryLater(leader.id, leader.unit, data, members[0]!.attempt, leader.task.spec.retry)) return;
      for (const m of members) endInstance(m, aborted ? { ...timing(m), status: 'cancelled', reason: data.message } : failedResult(m, data));
    }
  }

  function countSignals(signals: ExecutorSignals | undefined): void {
    if (signals?.cache === 'hit') cache.hits += 1;
    else if (signals?.cache === 'miss') cache.misses += 1;
  }

  /**
   * A retryable failure goes back to the scheduler after its backoff, competing for slots (and a
   * rate pool's tokens) again; false when the policy or the run says no more attempts.
   */
  function retryLater(id: string, unit: Unit, error: ErrorData, attempt: number, policy: RetryPolicy): boolean {
    if (aborted || stopping || !shouldRetry(error, attempt, policy)) return false;
    const delayMs = nextDelay(error, attempt, policy);
    emit({ type: 'task:retry', id, attempt, delayMs, error });
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      if (!byUnit.get(unit.id)?.result) scheduler.push(unit);
    }, delayMs);
    retryTimers.add(timer);
    return true;
  }

  function endInstance(inst: Instance, result: TaskResult): void {
    if (inst.result) return;
    inst.result = result;
    emit({ type: 'task:end', id: inst.id, result });
    if (result.status === 'failed' && !inst.task.spec.continueOnError && !keepGoing) stopping = true;
    const state = inst.task;
    state.open -= 1;
    if (state.open === 0) finishTask(state);
  }

  function finishTask(state: TaskState): void {
    const statuses = state.instances.map((i) => i.result!.status);
    if (statuses.includes('failed')) state.status = 'failed';
    else if (statuses.includes('cancelled')) state.status = 'cancelled';
    else if (statuses.every((s) => s === 'skipped')) {
      state.status = 'skipped';
      state.skipReason = (state.instances[0]!.result as { reason: SkipReason }).reason;
    } else state.status = 'success';
    publishTask(state);
    afterTask(state);
  }

  /** Make the task's outcome visible to templates as `tasks.<id>`. */
  function publishTask(state: TaskState): void {
    const { spec } = state;
    const outputOf = (i: Instance) => (i.result?.status === 'success' ? i.result.output : null);
    if (spec.forEach) {
      const outputs = state.instances.map(outputOf);
      const errors = state.instances.map((i) => (i.result?.status === 'failed' ? i.result.error : null));
      scope.tasks[spec.id] = { status: state.status!, output: outputs, outputs, errors };
    } else {
      const inst = state.instances[0];
      scope.tasks[spec.id] = { status: state.status!, output: inst ? outputOf(inst) : null };
    }
  }

  function skipTask(state: TaskState, reason: SkipReason): void {
    state.status = 'skipped';
    state.skipReason = reason;
    publishTask(state);
    emit({ type: 'task:end', id: state.spec.id, result: { status: 'skipped', attempts: 0, reason } });
    afterTask(state);
  }

  function failTask(state: TaskState, error: ErrorData): void {
    const now = Date.now();
    state.status = 'failed';
    const result: TaskResult = { status: 'failed', attempts: 0, startedAt: now, endedAt: now, durationMs: 0, error };
    addInstance(state, state.spec.id, 0, undefined, false);
    state.instances[0]!.result = result;
    publishTask(state);
    emit({ type: 'task:end', id: state.spec.id, result });
    if (!state.spec.continueOnError && !keepGoing) stopping = true;
    afterTask(state);
  }

  function afterTask(state: TaskState): void {
    finished += 1;
    for (const dep of state.dependents) {
      dep.waiting -= 1;
      if (dep.waiting === 0) resolveTask(dep);
    }
    if (finished === tasks.size) resolveDone();
  }

  /** On abort: tasks whose needs never finished end skipped, so the run can close. */
  function drainUnresolved(reason: SkipReason): void {
    for (const state of tasks.values()) {
      if (state.status === undefined && state.instances.length === 0 && state.waiting > 0) {
        state.waiting = -1;
        state.status = 'skipped';
        state.skipReason = reason;
        publishTask(state);
        emit({ type: 'task:end', id: state.spec.id, result: { status: 'skipped', attempts: 0, reason } });
        finished += 1;
      }
    }
    if (finished === tasks.size) resolveDone();
  }

  try {
    if (tasks.size === 0) resolveDone();
    // Roots are taken first: a root that ends at once (resumed, skipped) resolves its dependents
    // synchronously, and they must not be resolved a second time here.
    const roots = [...tasks.values()].filter((state) => state.waiting === 0);
    for (const state of roots) if (state.status === undefined && !aborted) resolveTask(state);
    await done;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    scheduler.close();
    for (const timer of retryTimers) clearTimeout(timer);
    if (ownPool) await pool!.destroy();
  }

  const report = buildReport({
    pipeline,
    dryRun: options.dryRun === true,
    tasks,
    runId,
    startedAt,
    aborted,
    runError: budget.error,
    usage,
    cache,
    resumedFrom: options.resume?.runId,
    engine,
    scope,
    masker,
    warn: (message) => emit({ type: 'warning', message }),
  });
  emit({ type: 'run:end', report });
  return report;
}
