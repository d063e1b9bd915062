// Load-time expansion of pipeline-template calls: resolve, load (recursively, with cycle
// detection), check `with:` at the call site, and splice the template's tasks into the graph.
import path from 'node:path';
import type { LoadResult, Pipeline, PoolSpec, Problem, SourcePos, TaskSpec } from '../../types.js';
import { checkInputs } from '../../input-values.js';
import { isTemplateUse, resolveTemplateFile } from './reference.js';
import { spliceTemplate } from './splice.js';

/** One file on the way down to the template being loaded: which pipeline uses which. */
export type TemplateLink = { file: string; name: string };

/** What expansion needs from the loader that calls it. */
export interface TemplateHost {
  /** Load `file` as a pipeline (the loader itself), expanding its own calls with `chain` above it. */
  load(file: string, chain: TemplateLink[]): Promise<LoadResult>;
  /** Where a key (or its value) sits in the calling file, e.g. `['tasks', 'audit', 'uses']`. */
  at(keyPath: Array<string | number>, target?: 'key' | 'value'): SourcePos;
  /** The raw task as written (before defaults), to check which keys a call uses. */
  raw?(taskId: string): Record<string, unknown> | undefined;
  /** Files above the calling one, outermost first; empty for a pipeline run directly. */
  chain: TemplateLink[];
}

/** Keys a template call may have: the rest belongs on the template's own tasks. */
const CALL_KEYS = new Set(['uses', 'with', 'needs', 'if', 'continueOnError', 'concurrency', 'pool', 'forEach', 'matrix']);
const LOOPS = ['forEach', 'matrix'] as const;

/**
 * Replace every template call of `pipeline` by the template's tasks (ids `<call>.<task>`) and a
 * join task with the call's id. Problems inside a template keep the template's FILE:LINE:COL
 * and say where it is used; a `with:` that does not fit the template's inputs, an unknown
 * template and a cycle (`audit -> checks -> audit`) are reported at the call.
 * @example
 * const { pipeline: expanded, problems } = await expandTemplateCalls(pipeline, host);
 * Object.keys(expanded.tasks) // ['audit.security', …, 'audit', 'report']
 */
export async function expandTemplateCalls(pipeline: Pipeline, host: TemplateHost): Promise<{ pipeline: Pipeline; problems: Problem[] }> {
  const calls = Object.values(pipeline.tasks).filter((t) => isTemplateUse(t.uses) && !t.join);
  if (calls.length === 0) return { pipeline, problems: [] };
  const problems: Problem[] = [];
  const chain: TemplateLink[] = [...host.chain, { file: pipeline.file, name: pipeline.name }];
  const replaced = new Map<string, TaskSpec[]>();
  const pools: Record<string, PoolSpec> = { ...pipeline.pools };

  for (const call of calls) {
    const at = host.at;
    const problem = (pos: SourcePos, code: Problem['code'], message: string): void => {
      problems.push({ ...pos, code, message: `task ${call.id}: ${message}`, taskId: call.id });
    };
    for (const key of Object.keys(host.raw?.(call.id) ?? {})) {
      if (!CALL_KEYS.has(key)) {
        problem(at(['tasks', call.id, key], 'key'), 'UNKNOWN_KEY', `"${key}" does not apply to a template call (it takes ${[...CALL_KEYS].join(', ')}); set it on the template's tasks`);
      }
    }
    const resolved = resolveTemplateFile(call.uses, pipeline.file, pipeline.config);
    if (resolved.file === undefined) {
      problem(at(['tasks', call.id, 'uses']), 'UNKNOWN_EXECUTOR', resolved.error);
      continue;
    }
    const seen = chain.findIndex((link) => path.resolve(link.file) === path.resolve(resolved.file));
    if (seen !== -1) {
      const names = [...chain.slice(seen).map((l) => l.name), chain[seen]!.name];
      problem(at(['tasks', call.id, 'uses']), 'TEMPLATE_CYCLE', `template cycle: ${names.join(' -> ')}`);
      continue;
    }
    const loaded = await host.load(resolved.file, chain);
    const site = at(['tasks', call.id], 'key');
    const usedBy = `${path.relative(pipeline.root, pipeline.file) || pipeline.file}:${site.line}:${site.col}`;
    problems.push(...loaded.problems.map((p) => ({ ...p, message: addUsedBy(p.message, usedBy) })));
    const template = loaded.pipeline;
    if (!template || loaded.problems.length) continue;

    const mismatches = checkInputs(template.inputs, call.with, template.name, true).map((mismatch) => ({
      ...mismatch,
      pos: mismatch.key !== undefined ? at(['tasks', call.id, 'with', mismatch.key], 'key') : at(['tasks', call.id, 'uses']),
    }));
    mismatches.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    for (const mismatch of mismatches) problem(mismatch.pos, 'INPUT_INVALID', mismatch.message);
    const loop = LOOPS.find((key) => call[key] !== undefined);
    for (const task of loop ? Object.values(template.tasks) : []) {
      if (!task.once && !task.join && (task.forEach || task.matrix)) {
        problem(at(['tasks', call.id, loop!], 'key'), 'PIPELINE_INVALID', `the call has ${loop}, and template task ${task.id} loops itself; a task loops one way`);
      }
    }
    // A template's pools join the run's; the caller's (or the config's) own definition wins.
    for (const [name, spec] of Object.entries(template.pools)) if (!Object.hasOwn(pools, name)) pools[name] = spec;
    replaced.set(call.id, spliceTemplate(call, template));
  }

  const tasks: Record<string, TaskSpec> = {};
  for (const spec of Object.values(pipeline.tasks)) {
    for (const out of replaced.get(spec.id) ?? [spec]) tasks[out.id] = out;
  }
  return { pipeline: { ...pipeline, tasks: mergeOnce(tasks), pools }, problems };
}

/**
 * `once: true` tasks of the same template file and id are one task: the first included stays,
 * the others go, and whatever needed or read them (needs, `tasks.<local>` in their call's
 * scope) is pointed at the one that stays.
 */
function mergeOnce(tasks: Record<string, TaskSpec>): Record<string, TaskSpec> {
  const kept = new Map<string, string>();
  const renamed = new Map<string, string>();
  for (const spec of Object.values(tasks)) {
    if (!spec.onceKey) continue;
    const first = kept.get(spec.onceKey);
    if (first === undefined) kept.set(spec.onceKey, spec.id);
    else renamed.set(spec.id, first);
  }
  if (renamed.size === 0) return tasks;
  const out: Record<string, TaskSpec> = {};
  for (const spec of Object.values(tasks)) {
    const into = renamed.get(spec.id);
    if (into !== undefined) {
      // The dropped copy's call still reads it by its local id: point that id at the kept task.
      const scope = spec.scope;
      if (scope) scope.ids = { ...scope.ids, [spec.id.slice(scope.namespace.length + 1)]: into };
      continue;
    }
    out[spec.id] = { ...spec, needs: [...new Set(spec.needs.map((need) => renamed.get(need) ?? need))] };
  }
  return out;
}

// Nested templates chain their call sites: `(used by templates/audit.yaml:8:3 <- pipelines/site.yaml:5:3)`.
function addUsedBy(message: string, site: string): string {
  const nested = / \(used by (.*)\)$/.exec(message);
  if (nested) return `${message.slice(0, nested.index)} (used by ${nested[1]} <- ${site})`;
  return `${message} (used by ${site})`;
}
