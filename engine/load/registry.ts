import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../errors.js';
import type { ExecutorEntry, HelperFn, JsonSchema, Plugin } from '../executor.js';
import { runtimeUrl } from '../paths.js';
import { CORE_CONFIG_KEYS } from './config-keys.js';

/** Executors and helpers available to a run, by name. Names collide loudly, never silently. */
export type Registry = {
  executors: Map<string, ExecutorEntry>;
  /** moduleUrl lets a worker import the helper too (template files render there). */
  helpers: Map<string, { fn: HelperFn; source: string; moduleUrl: string }>;
  /** weft.config.yaml keys executors own (Executor.settings), with the schema of each. */
  settings: Map<string, { schema: JsonSchema; source: string }>;
};

/** The built-in executors ship as a plugin like any other (sibling extension: .ts from source, .js from dist). */
export const builtinPluginUrl = new URL(`../../plugins/builtin${path.extname(import.meta.url)}`, import.meta.url).href;

export function createRegistry(): Registry {
  return { executors: new Map(), helpers: new Map(), settings: new Map() };
}

/**
 * Import a plugin module and add its executors and helpers.
 * @example await registerPlugin(registry, builtinPluginUrl, 'built-in')
 */
export async function registerPlugin(registry: Registry, moduleUrl: string, source: string): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    // The built-ins by a literal path, so a bundle of the engine (bin's, scripts/bundle-cli.mjs)
    // carries them; their `modules` still name their own files, for the worker threads.
    mod = (await (moduleUrl === builtinPluginUrl ? import('../../plugins/builtin.js') : import(moduleUrl))) as Record<string, unknown>;
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
    const entry: ExecutorEntry = { name, executor, moduleUrl: runtimeUrl(plugin.modules?.[name] ?? moduleUrl), source };
    const settingsKeys = registerSettings(registry, executor.settings, `${source} (${name})`);
    if (settingsKeys.length) entry.settingsKeys = settingsKeys;
    registry.executors.set(name, entry);
  }
  for (const [name, fn] of Object.entries(plugin.helpers ?? {})) {
    const taken = registry.helpers.get(name);
    if (taken) {
      throw new WeftError('PLUGIN_INVALID', `helper "${name}" from ${source} collides with the one from ${taken.source}`);
    }
    registry.helpers.set(name, { fn, source, moduleUrl: runtimeUrl(moduleUrl) });
  }
}

/** The config keys an executor owns; a key two executors claim is refused, as a core key is. */
function registerSettings(registry: Registry, settings: Record<string, JsonSchema> | undefined, source: string): string[] {
  const keys = Object.keys(settings ?? {});
  for (const key of keys) {
    const taken = registry.settings.get(key);
    if (taken || CORE_CONFIG_KEYS.has(key)) {
      throw new WeftError('PLUGIN_INVALID', `config key "${key}" from ${source} collides with ${taken ? `the one from ${taken.source}` : "weft's own"}`);
    }
    registry.settings.set(key, { schema: settings![key]!, source });
  }
  return keys;
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
