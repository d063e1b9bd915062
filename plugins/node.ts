// `uses: node`: call an exported function of a project module in a worker thread.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../engine/plugin.js';
import type { Executor, ExecutorContext } from '../engine/plugin.js';

export type NodeWith = { module: string; export?: string; input?: unknown };

/** The second argument a node task's function receives. */
export type NodeFunctionContext = Pick<ExecutorContext, 'signal' | 'taskId' | 'attempt' | 'root' | 'log'>;

type TaskFunction = (input: unknown, ctx: NodeFunctionContext) => unknown;

// Keyed by root and module as written, so a warm call skips path resolution and URL building;
// once loaded, a module is taken without an await (a promise and a turn per call).
const modules = new Map<string, Promise<Record<string, unknown>>>();
const loaded = new Map<string, Record<string, unknown>>();

function importModule(key: string, root: string, module: string): Promise<Record<string, unknown>> {
  let loading = modules.get(key);
  if (!loading) {
    loading = import(pathToFileURL(path.resolve(root, module)).href) as Promise<Record<string, unknown>>;
    modules.set(key, loading);
    // A module that failed to load may be fixed before the next attempt; do not pin the failure here.
    loading.then((mod) => loaded.set(key, mod), () => modules.delete(key));
  }
  return loading;
}

/** `signal`, one getter for every function context: read on demand, so a function that never looks costs no AbortSignal. */
const SIGNAL: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: FunctionContext): AbortSignal {
    return FunctionContext.signalOf(this);
  },
};

/**
 * What a task's function gets as its second argument. Not a literal with a getter: V8 made each
 * such literal a slow dictionary object (a 10k-task run makes 10k).
 */
class FunctionContext implements NodeFunctionContext {
  taskId: string;
  attempt: number;
  root: string;
  log: ExecutorContext['log'];
  declare readonly signal: AbortSignal;
  readonly #ctx: ExecutorContext;

  constructor(ctx: ExecutorContext) {
    this.taskId = ctx.taskId;
    this.attempt = ctx.attempt;
    this.root = ctx.root;
    this.log = ctx.log;
    this.#ctx = ctx;
    // Own and enumerable, so `{ ...ctx }` in a task's function keeps it.
    Object.defineProperty(this, 'signal', SIGNAL);
  }

  static signalOf(fc: FunctionContext): AbortSignal {
    return fc.#ctx.signal;
  }
}

/**
 * Calls `export` (default `default`) of `module` (relative to the project root) as
 * `fn(input, { signal, taskId, attempt, root, log })` and returns what it returns.
 * The result must survive structured clone (plain data, Dates, Maps, typed arrays; class
 * instances arrive as plain objects); a function or symbol in it fails with OUTPUT_INVALID.
 * Thrown errors keep `message` and `retryable`; a code weft does not know becomes TASK_FAILED
 * with `[code X]` appended to the message.
 * @example
 * // tasks: { count: { uses: node, with: { module: scripts/count.js, export: count, input: [1, 2] } } }
 * export async function count(items, { signal }) { return items.length; }
 */
export const node: Executor<NodeWith, unknown> = {
  description: 'Call an exported function of a JavaScript module in a worker thread',
  // A user's function may loop forever or end its thread: it gets threads of its own.
  isolate: true,
  // What a function spawns inherits weft's own environment, not the run's watchdog token (ctx has
  // no env): the watchdog could not find it, so a run of node tasks forks none.
  startsProcesses: false,
  schema: {
    type: 'object',
    required: ['module'],
    additionalProperties: false,
    properties: {
      module: { type: 'string', minLength: 1, description: 'Path of an ES module (.js or .mjs), relative to the project root' },
      export: { type: 'string', minLength: 1, default: 'default', description: 'Name of the exported function to call (default: the default export)' },
      input: { description: 'Any value; passed as the first argument of the function' },
    },
  },
  async run(w, ctx) {
    let mod: Record<string, unknown>;
    try {
      const key = `${ctx.root}\0${w.module}`;
      mod = loaded.get(key) ?? (await importModule(key, ctx.root, w.module));
    } catch (cause) {
      throw new WeftError('TASK_FAILED', `cannot load module ${w.module}: ${(cause as Error).message}`, { cause });
    }
    const name = w.export ?? 'default';
    const fn = mod[name];
    if (typeof fn !== 'function') {
      throw new WeftError('TASK_FAILED', `module ${w.module} has no exported function "${name}"`);
    }
    const value = await (fn as TaskFunction)(w.input, new FunctionContext(ctx));
    assertCloneable(value, w.module, name);
    return value;
  },
};

// An uncloneable result would make Piscina's reply fail and take the worker thread down with
// every call it is running; checking here turns that into this task's own error.
function assertCloneable(value: unknown, module: string, name: string): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return;
  try {
    structuredClone(value);
  } catch (cause) {
    throw new WeftError('OUTPUT_INVALID', `${module}#${name} returned a value that cannot cross threads: ${(cause as Error).message}`, { cause });
  }
}
