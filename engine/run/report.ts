// The run report of the spec (cli.md `--json`), built once every task has ended.
import { toErrorData } from '../errors.js';
import type { Masker } from '../mask.js';
import { renderValue, type TemplateEngine } from '../handlebars/render.js';
import type { BaseScope, ErrorData, Pipeline, RunReport, RunStatus, TaskResult } from '../types.js';
import { tolerated, type TaskState } from './state.js';
import type { UsageTally } from './usage.js';

export type ReportInput = {
  pipeline: Pipeline;
  tasks: Map<string, TaskState>;
  runId: string;
  startedAt: number;
  aborted: boolean;
  runError?: ErrorData;
  usage: UsageTally;
  cache: { hits: number; misses: number };
  resumedFrom?: string;
  /** A dry run ran nothing to render `outputs` from: they are reported as written. */
  dryRun?: boolean;
  engine: TemplateEngine;
  scope: BaseScope;
  masker: Masker;
  /** Where a pipeline output that cannot be rendered is reported. */
  warn(message: string): void;
};

/**
 * Every task's (or instance's) result in declaration order, the pipeline's `outputs` rendered
 * with the final scope, usage by model; masked, so no secret leaves in it.
 * @example const report = buildReport({ pipeline, tasks, runId, startedAt, aborted: false, usage, cache, engine, scope, masker, warn })
 */
export function buildReport(input: ReportInput): RunReport {
  const { pipeline, startedAt } = input;
  const results: Record<string, TaskResult> = {};
  // Each task's needs, for the report's graph: gathered in the same pass (10k tasks, one walk).
  const needs: Record<string, string[]> = {};
  let anyNeeds = false;
  let failed = false;
  for (const state of input.tasks.values()) {
    if (state.spec.needs.length) {
      needs[state.spec.id] = state.spec.needs;
      anyNeeds = true;
    }
    if (state.instances.length === 0) {
      // Skipped before it had instances, or a forEach over no items.
      results[state.spec.id] =
        state.status === 'skipped'
          ? { status: 'skipped', attempts: 0, reason: state.skipReason ?? 'upstream' }
          : { status: 'success', attempts: 0, startedAt, endedAt: startedAt, durationMs: 0, output: [] };
    }
    for (const inst of state.instances) results[inst.id] = inst.result!;
    if (state.status === 'failed' && !tolerated(state)) failed = true;
  }
  const outputs: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(pipeline.outputs)) {
    if (input.dryRun) {
      outputs[name] = template;
      continue;
    }
    try {
      outputs[name] = renderValue(input.engine, template, input.scope as unknown as Record<string, unknown>, { where: `outputs.${name}` });
    } catch (error) {
      input.warn(toErrorData(error).message);
    }
  }
  const endedAt = Date.now();
  const status: RunStatus = input.aborted ? 'cancelled' : failed || input.runError ? 'failed' : 'success';
  const report: RunReport = {
    pipeline: pipeline.name,
    runId: input.runId,
    status,
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    tasks: results,
    outputs,
    usage: input.usage.totals(),
  };
  if (input.runError) report.error = input.runError;
  if (input.cache.hits || input.cache.misses) report.cache = input.cache;
  if (input.resumedFrom) report.resumedFrom = input.resumedFrom;
  if (anyNeeds) report.needs = needs;
  return input.masker.maskDeep(report);
}
