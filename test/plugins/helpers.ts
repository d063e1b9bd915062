// Shared pieces of the executor tests: the real registry, a call context, throwaway folders.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorContext, ExecutorEntry } from '../../engine/executor.js';
import { loadRegistry } from '../../engine/load/registry.js';

export type CallContext = Omit<ExecutorContext, 'signal' | 'log'>;

/** Folder of the worker-side test modules (plain .js: worker threads cannot load .ts). */
export const modulesDir = fileURLToPath(new URL('../fixtures/modules/', import.meta.url));

let entries: Promise<Map<string, ExecutorEntry>> | undefined;

/** A built-in executor as the engine sees it: loaded through the real registry. */
export async function builtinEntry(name: string): Promise<ExecutorEntry> {
  entries ??= loadRegistry([], modulesDir).then((registry) => registry.executors);
  const entry = (await entries).get(name);
  if (!entry) throw new Error(`no built-in executor ${name}`);
  return entry;
}

let calls = 0;

/** The context a task attempt gets, minus signal and log (the pool adds those in the worker). */
export function callContext(overrides: Partial<CallContext> = {}): CallContext {
  return {
    taskId: `test-${++calls}`,
    attempt: 1,
    root: modulesDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    options: {},
    ...overrides,
  };
}

export { makeTempDir } from '../support/project.js';
