// What a template path may name at run time: the scope's roots, a task's view, the fields an
// executor's output has, loop variables only inside a loop. A read that cannot resolve is
// reported at load, with a did-you-mean, instead of failing halfway through a run.
import { didYouMean } from '../../suggest.js';
import type { Registry } from '../registry.js';
import { isTemplateUse } from '../pipeline-templates/reference.js';
import { isRecord, type RawTask } from './shape.js';

/** Names a template may start a path with. `data` is the template executor's own. */
const ROOTS = ['inputs', 'env', 'secrets', 'tasks', 'pipeline', 'run', 'item', 'index', 'matrix', 'data'];
const LOOP_ROOTS = new Set(['item', 'index', 'matrix']);
/** What `tasks.<id>` holds; `outputs` and `errors` only for a task that fans out. */
const VIEW_FIELDS = ['status', 'output'];
const FANOUT_FIELDS = ['status', 'output', 'outputs', 'errors'];

/** Where a template sits, as far as references go: which task renders it, and with which loop. */
export type Reader = {
  /** The task whose field this is; undefined for top-level `env` and `outputs`. */
  task?: string;
  /** `item`/`index` (forEach) or `item`/`index`/`matrix` (matrix) are defined here. */
  loop?: 'forEach' | 'matrix';
};

/** A task's loop as its own keys say. */
export function loopOf(task: RawTask): Reader['loop'] {
  if (task.matrix !== undefined) return 'matrix';
  if (task.forEach !== undefined) return 'forEach';
  return undefined;
}

/**
 * The problem with one path read by a template, or undefined when it can resolve.
 * @example checkReference('task.build.output', { task: 'test' }, tasks, registry)
 * // 'reads task.build.output, but there is no "task" in scope (did you mean "tasks"?)'
 */
export function checkReference(read: string, reader: Reader, tasks: Record<string, RawTask>, registry: Registry): string | undefined {
  const parts = read.split('.');
  const root = parts[0]!;
  if (!ROOTS.includes(root)) {
    return `reads ${read}, but there is no "${root}" in scope${didYouMean(root, ROOTS)}`;
  }
  if (LOOP_ROOTS.has(root)) return checkLoopRead(read, parts, reader, tasks);
  if (root === 'tasks' && parts.length > 2) return checkTaskRead(read, parts, tasks, registry);
  return undefined;
}

function checkLoopRead(read: string, parts: string[], reader: Reader, tasks: Record<string, RawTask>): string | undefined {
  const root = parts[0]!;
  if (!reader.loop) {
    return `reads ${read}, but ${root} is only defined in a task with forEach or matrix${reader.task ? '' : ' (this is rendered outside any task)'}`;
  }
  if (root === 'matrix' && reader.loop !== 'matrix') return `reads ${read}, but this task loops with forEach: use item`;
  if (root === 'matrix' && parts.length > 1 && reader.task) {
    const names = legKeys(tasks[reader.task]!.matrix);
    if (names && !names.includes(parts[1]!)) return `reads ${read}, but the matrix has no "${parts[1]}"${didYouMean(parts[1]!, names)}`;
  }
  return undefined;
}

function checkTaskRead(read: string, parts: string[], tasks: Record<string, RawTask>, registry: Registry): string | undefined {
  const id = parts[1]!;
  const task = tasks[id];
  if (!task) return undefined; // an unknown task is reported as UNKNOWN_NEED by the caller
  const fanout = loopOf(task) !== undefined;
  const fields = fanout ? FANOUT_FIELDS : VIEW_FIELDS;
  const field = parts[2]!;
  if (!fields.includes(field)) {
    const hint = !fanout && (field === 'outputs' || field === 'errors') ? ` (tasks.${id} has no forEach or matrix: read output)` : didYouMean(field, fields);
    return `reads ${read}, but tasks.${id} has ${fields.join(', ')}${hint}`;
  }
  if (field !== 'output' || fanout || parts.length < 4) return undefined;
  const known = outputFieldsOf(task, registry);
  const key = parts[3]!;
  if (known && !known.includes(key)) {
    return `reads ${read}, but the ${executorOf(task)} executor's output has ${known.join(', ')}${didYouMean(key, known)}`;
  }
  return undefined;
}

function executorOf(task: RawTask): string | undefined {
  if (typeof task.uses === 'string') return task.uses;
  return Object.hasOwn(task, 'run') ? 'shell' : undefined;
}

function outputFieldsOf(task: RawTask, registry: Registry): string[] | undefined {
  const uses = executorOf(task);
  if (uses === undefined || isTemplateUse(uses)) return undefined;
  return registry.executors.get(uses)?.executor.outputFields;
}

/** Every key a leg of a literal matrix can have: its axes and the keys its includes add. */
function legKeys(matrix: unknown): string[] | undefined {
  if (!isRecord(matrix)) return undefined;
  const names = Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude');
  if (matrix.include === undefined) return names;
  if (!Array.isArray(matrix.include)) return undefined;
  for (const entry of matrix.include) if (isRecord(entry)) names.push(...Object.keys(entry));
  return [...new Set(names)];
}
