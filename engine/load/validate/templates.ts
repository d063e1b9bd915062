// Templates compile, call known helpers, and read only tasks that are sure to have finished.
import { analyzeTemplate, checkShellTemplate, type TemplateEngine } from '../../handlebars/render.js';
import { escapeShellComments } from '../../handlebars/shell-context.js';
import { isTemplate } from '../../handlebars/is-template.js';
import { didYouMean } from '../../suggest.js';
import type { Registry } from '../registry.js';
import type { PathSegment } from '../yaml.js';
import { label, type Reporter } from './report.js';
import { checkReference, loopOf, type Reader } from './references.js';
import { isRecord, needsOf, type RawTask } from './shape.js';

// Task keys whose strings are rendered; uses, needs, pool, model, tags and when are plain names.
const RENDERED_KEYS = ['run', 'with', 'if', 'forEach', 'matrix', 'locks', 'env', 'continueOnError', 'timeout', 'pool', 'model'] as const;
// Rendered before the task's instances exist: no `item` there.
const LOOP_SOURCES = new Set<string>(['forEach', 'matrix']);


/**
 * TEMPLATE_SYNTAX and UNKNOWN_HELPER in every rendered string; UNKNOWN_NEED for `tasks.x` naming
 * no task; TEMPLATE_RACE for a task reading `tasks.x` it does not (transitively) need (or itself);
 * INPUT_INVALID for `inputs.x` not declared; UNKNOWN_REFERENCE for a path that cannot resolve
 * (checkReference). `outputs` may read any task; `env` and `defaults` none (they apply before
 * any task has run).
 */
export function checkTemplates(doc: Record<string, unknown>, tasks: Record<string, RawTask>, engine: TemplateEngine, reporter: Reporter, registry: Registry): void {
  const ids = Object.keys(tasks);
  const inputs = Object.keys(isRecord(doc.inputs) ? doc.inputs : {});
  const reachable = createReachability(tasks);
  const visit = (value: unknown, path: PathSegment[], reader: string | 'anyone' | 'nobody', scope: Reader) => {
    forEachString(value, path, (text, at) => {
      // A shell command's comments are not templates (as a run renders it).
      const source = isShellCommand(at) ? escapeShellComments(text) : text;
      const { error, paths } = plainPaths(source, engine.context.helpers) ?? analyzeTemplate(engine, source);
      if (error) {
        reporter.add(error.code, at, `${label(at)}: ${firstLine(error.message)}`);
        return;
      }
      const quoting = isShellCommand(at) ? checkShellTemplate(engine, source) : undefined;
      if (quoting) reporter.add('TEMPLATE_SYNTAX', at, `${label(at)}: ${firstLine(quoting)}`);
      for (const read of paths) {
        const input = /^inputs\.([^.[\]]+)/.exec(read)?.[1];
        if (input !== undefined && !inputs.includes(input)) {
          // A run refuses undeclared inputs, so this read could never succeed.
          const declared = inputs.length === 0 ? ' (the pipeline declares no inputs)' : didYouMean(input, inputs);
          reporter.add('INPUT_INVALID', at, `${label(at)}: reads inputs.${input}, which is not declared under inputs${declared}`);
        }
        const problem = checkReference(read, scope, tasks, registry);
        if (problem) reporter.add('UNKNOWN_REFERENCE', at, `${label(at)}: ${problem}`);
        const ref = taskOf(read);
        if (ref === undefined) continue;
        if (ref === reader) {
          reporter.add('TEMPLATE_RACE', at, `${label(at)}: reads its own task's output, which does not exist until it has run`);
        } else if (!Object.hasOwn(tasks, ref)) {
          reporter.add('UNKNOWN_NEED', at, `${label(at)}: reads tasks.${ref}, but there is no task "${ref}"${didYouMean(ref, ids)}`);
        } else if (reader === 'nobody') {
          reporter.add('TEMPLATE_RACE', at, `${label(at)}: reads tasks.${ref}, but ${String(path[0])} is rendered before any task runs`);
        } else if (reader !== 'anyone' && !reachable(reader, ref)) {
          reporter.add('TEMPLATE_RACE', at, `${label(at)}: reads tasks.${ref}, which may not have run yet; add "${ref}" to tasks.${reader}.needs`);
        }
      }
    });
  };
  visit(doc.env, ['env'], 'nobody', {});
  // Defaults merge under every task, looping or not: their loop reads are checked nowhere.
  if (isRecord(doc.defaults)) for (const key of RENDERED_KEYS) visit(doc.defaults[key], ['defaults', key], 'nobody', { loop: 'matrix' });
  for (const [id, task] of Object.entries(tasks)) {
    const loop = loopOf(task);
    for (const key of RENDERED_KEYS) {
      visit(task[key], ['tasks', id, key], id, loop && !LOOP_SOURCES.has(key) ? { task: id, loop } : { task: id });
    }
  }
  visit(doc.outputs, ['outputs'], 'anyone', {});
}

/** `tasks.x.run` or `tasks.x.with.command`: text a shell reads. */
function isShellCommand(at: PathSegment[]): boolean {
  const tail = at.slice(-2).join('.');
  return at.at(-1) === 'run' || tail === 'with.command';
}

// `{{a.b}}` and `{{{a.b}}}` only: a dotted path of plain names, nothing before or inside to escape.
const PLAIN_MUSTACHE = /\{\{(\{?)\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*(\}?)\}\}/y;
const KEYWORDS = new Set(['else', 'this', 'true', 'false', 'null', 'undefined']);

/**
 * The paths of a template made only of plain `{{a.b.c}}` mustaches, without Handlebars; undefined
 * for anything else (analyzeTemplate decides). Compiling each template through Handlebars was
 * 0.7 s of 0.85 s validating 10,000 tasks here; nearly all of them are this plain shape.
 */
function plainPaths(source: string, helpers: ReadonlyMap<string, unknown>): { paths: string[]; error?: undefined } | undefined {
  const paths: string[] = [];
  for (let at = source.indexOf('{{'); at !== -1; at = source.indexOf('{{', PLAIN_MUSTACHE.lastIndex)) {
    if (at > 0 && (source[at - 1] === '\\' || source[at - 1] === '{')) return undefined;
    PLAIN_MUSTACHE.lastIndex = at;
    const match = PLAIN_MUSTACHE.exec(source);
    if (!match || match[1] !== match[3]) return undefined;
    const path = match[2]!;
    if (!path.includes('.') && (helpers.has(path) || KEYWORDS.has(path))) return undefined;
    paths.push(path);
  }
  return { paths };
}

/** `tasks.build.output.stdout` -> `build`; `tasks.fix[0].output` -> `fix`; anything else -> undefined. */
function taskOf(read: string): string | undefined {
  const match = /^tasks\.([^.[\]]+)/.exec(read);
  return match?.[1];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/** Calls `fn` for every string holding `{{` in a nested value (a string without one renders as itself). */
function forEachString(value: unknown, path: PathSegment[], fn: (source: string, path: PathSegment[]) => void): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) fn(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => forEachString(item, [...path, i], fn));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], fn);
  }
}

/**
 * `reachable(task, other)`: does `task` wait for `other` through its needs? A direct need answers
 * at once; otherwise the task's ancestors are walked once and kept, so a pipeline costs
 * O(tasks that read indirect needs × their ancestors), never every pair.
 */
function createReachability(tasks: Record<string, RawTask>): (task: string, other: string) => boolean {
  const ancestors = new Map<string, Set<string>>();
  return (task, other) => {
    const needs = needsOf(tasks[task]!);
    if (needs.includes(other)) return true;
    let seen = ancestors.get(task);
    if (!seen) {
      seen = new Set();
      const stack = [...needs];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next) || !Object.hasOwn(tasks, next)) continue;
        seen.add(next);
        stack.push(...needsOf(tasks[next]!));
      }
      ancestors.set(task, seen);
    }
    return seen.has(other);
  };
}
