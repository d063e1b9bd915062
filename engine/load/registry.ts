import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../errors.js';
import type { ExecutorEntry, HelperFn, Plugin } from '../executor.js';
import { runtimeUrl } from '../paths.js';

/** Executors and helpers available to a run, by name. Names collide loudly, never silently. */
export type Registry = {
  executors: Map<string, ExecutorEntry>;
  /** moduleUrl lets a worker import the helper too (template files render there). */
  helpers: Map<string, { fn: HelperFn; source: string; moduleUrl: string }>;
};

/** The built-in executors ship as a plugin like any other (sibling extension: .ts from source, .js from dist). */
export const builtinPluginUrl = new URL(`../../plugins/builtin${path.extname(import.meta.url)}`, import.meta.url).href;

export function createRegistry(): Registry {
  return { executors: new Map(), helpers: new Map() };
}

/**
 * Import a plugin module and add its executors and helpers.
 * @example await registerPlugin(registry, builtinPluginUrl, 'built-in')
 */
export async function registerPlugin(registry: Registry, moduleUrl: string, source: string): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (cause) {
    throw new WeftError('PLUGIN_INVALID', `cannot load plugin ${source}: ${describeThrown(cause)}`, { cause });
  }
  const plugin = ((mod.default as Plugin | undefined) ?? (mod as Plugin)) as Plugin;
  if (!plugin || (typeof plugin.executors !== 'object' && typeof plugin.helpers !== 'object')) {
    throw new WeftError('PLUGIN_INVALID', `plugin ${source} exports neither executors nor helpers`);
  }
  for (const [name, executor] of Object.entries(plugin.executors ?? {})) {
    if (!executor || typeof executor.run !== 'function' || typeof executor.schema !== 'object') {
      throw new WeftError('PLUGIN_INVALID', `plugin ${source}: executor "${name}" needs a schema and a run function`);
    }
    const taken = registry.executors.get(name);
    if (taken) {
      throw new WeftError('PLUGIN_INVALID', `executor "${name}" from ${source} collides with the one from ${taken.source}`);
    }
    registry.executors.set(name, { name, executor, moduleUrl: runtimeUrl(plugin.modules?.[name] ?? moduleUrl), source });
  }
  for (const [name, fn] of Object.entries(plugin.helpers ?? {})) {
    const taken = registry.helpers.get(name);
    if (taken) {
      throw new WeftError('PLUGIN_INVALID', `helper "${name}" from ${source} collides with the one from ${taken.source}`);
    }
    registry.helpers.set(name, { fn, source, moduleUrl: runtimeUrl(moduleUrl) });
  }
}

/** Resolve a `plugins:` entry (path relative to root, or package name) to an importable URL. */
export function resolvePluginSpec(spec: string, root: string): string {
  if (spec.startsWith('.') || path.isAbsolute(spec)) return pathToFileURL(path.resolve(root, spec)).href;
  const require = createRequire(path.join(root, 'package.json'));
  try {
    return pathToFileURL(require.resolve(spec)).href;
  } catch (cause) {
    throw new WeftError('PLUGIN_INVALID', `plugin package "${spec}" is not installed in ${root}`, { cause });
  }
}

/**
 * The registry for a project: built-ins first, then the config's `plugins:` in order.
 * @example const registry = await loadRegistry(config.plugins, config.root)
 */
export async function loadRegistry(plugins: string[], root: string): Promise<Registry> {
  const registry = createRegistry();
  await registerPlugin(registry, builtinPluginUrl, 'built-in');
  for (const spec of plugins) await registerPlugin(registry, resolvePluginSpec(spec, root), spec);
  return registry;
}

/** What a module threw while loading: its message, or the value itself when it is not an Error (`throw 'boom'`). */
function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  let shown: string;
  try {
    shown = typeof thrown === 'string' ? JSON.stringify(thrown) : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    shown = String(thrown);
  }
  return `it threw ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown} (not an Error) while loading`;
}
