// weft.config.yaml keys that plugins own (Plugin.settings): each checked with its plugin's own
// schema once the plugins are loaded, and handed to that plugin's executors as options.
import type { ExecutorEntry } from '../executor.js';
import { didYouMean } from '../suggest.js';
import type { Problem, WeftConfig } from '../types.js';
import { CORE_CONFIG_KEYS } from './config-keys.js';
import type { Registry } from './registry.js';
import { createReporter } from './validate/report.js';
import { compileSchema, reportSchemaErrors } from './validate/schema.js';
import type { ParsedYaml } from './yaml.js';

/**
 * Every problem with the plugin-owned keys of the config: a key no plugin owns (with a
 * did-you-mean), or a value its plugin's schema refuses, at its line and column.
 * @example checkSettings(config, registry, parsed) // [] when `anthropic: { baseURL: … }` is valid
 */
export function checkSettings(config: WeftConfig, registry: Registry, parsed: Pick<ParsedYaml, 'file' | 'positionOf'> | undefined): Problem[] {
  const keys = Object.keys(config.settings);
  if (!keys.length || !parsed) return [];
  const reporter = createReporter(parsed);
  const known = [...CORE_CONFIG_KEYS, ...registry.settings.keys()];
  for (const key of keys) {
    const owner = registry.settings.get(key);
    if (!owner) {
      reporter.add('CONFIG_INVALID', [key], `unknown key "${key}"${didYouMean(key, known)}`, { target: 'key' });
      continue;
    }
    const validate = compileSchema(owner.schema);
    if (validate instanceof Error) {
      reporter.add('PLUGIN_INVALID', [key], `${owner.source}: the schema of "${key}" does not compile: ${validate.message}`, { target: 'key' });
    } else if (!validate(config.settings[key])) {
      reportSchemaErrors(validate.errors ?? [], reporter, { root: config.settings[key], base: [key], invalid: 'CONFIG_INVALID' });
    }
  }
  return reporter.problems;
}

/**
 * The settings an executor's plugin owns, merged into one options object for its calls and hooks.
 * @example pluginOptions(llmEntry, config) // { baseURL: 'http://127.0.0.1:8787' }
 */
export function pluginOptions(entry: Pick<ExecutorEntry, 'settingsKeys'> | undefined, config: Pick<WeftConfig, 'settings'>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of entry?.settingsKeys ?? []) {
    const value = config.settings[key];
    if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(options, value);
  }
  return options;
}
