// weft.config.yaml: project-wide defaults, found by walking up from the current directory.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { isKnownModel, mergeModels } from './models.js';
import { normalizePools } from './normalize.js';
import type { Problem, WeftConfig } from '../types.js';
import { byPosition, createReporter } from './validate/report.js';
import { PIPELINE_SCHEMA_ID, compileSchema, reportSchemaErrors } from './validate/schema.js';
import { didYouMean, suggest } from '../suggest.js';
import { parseYaml, type ParsedYaml } from './yaml.js';
import type { PipelineDoc } from './document.js';

export const CONFIG_FILE = 'weft.config.yaml';

const ref = (name: string) => ({ $ref: `${PIPELINE_SCHEMA_ID}#/definitions/${name}` });
/** What weft.config.yaml may hold; schemas/config.schema.json is made from it (editor-schema.ts). */
export const configSchema = {
  $id: 'https://weft.dev/schemas/config.schema.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    pipelinesDir: { type: 'string', description: 'Folder of pipeline files (default pipelines).' },
    templatesDir: { type: 'string', description: 'Folder of template files (default templates).' },
    partialsDir: { type: 'string', description: 'Folder of Handlebars partials (default partials).' },
    concurrency: { type: 'integer', minimum: 1, description: 'Most tasks running at once (default 2 x CPUs).' },
    // Each thread costs ~10 MB and a V8 heap: 100000 was a fatal out-of-memory, not a slow run.
    workers: { type: 'integer', minimum: 1, maximum: 64, description: 'Worker threads that run executors, at most 64 (default: CPU count).' },
    parallel: { type: 'boolean', description: 'false runs every task one at a time, with the same results.' },
    pools: ref('pools'),
    models: ref('models'),
    budget: ref('budget'),
    plugins: { type: 'array', items: { type: 'string' }, description: 'Plugin module paths or package names.' },
    dotenv: ref('dotenv'),
    queue: {
      type: 'string',
      pattern: '^rediss?://',
      description: 'redis://HOST:PORT: `weft run` sends attempts to `weft worker` processes through this Redis (as --queue).',
    },
  },
} as const;
let validateConfig: ValidateFunction | undefined;

/** The config a project without weft.config.yaml gets. */
export function defaultConfig(root: string): WeftConfig {
  return { root, pipelinesDir: 'pipelines', templatesDir: 'templates', partialsDir: 'partials', parallel: true, pools: {}, plugins: [], settings: {} };
}

/** The nearest folder from `cwd` upwards holding weft.config.yaml, if any. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CONFIG_FILE);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The project's settings: weft.config.yaml from `cwd` or a folder above it (its folder is the
 * root), else defaults rooted at `cwd`. Problems point into the config file; with problems, the
 * config returned is the defaults.
 * @example
 * const { config, problems } = await loadConfig(process.cwd());
 * path.resolve(config.root, config.pipelinesDir); // the pipelines folder
 */
export async function loadConfig(cwd: string = process.cwd()): Promise<{ config: WeftConfig; problems: Problem[]; parsed?: ParsedYaml }> {
  const file = findConfigFile(cwd);
  if (!file) return { config: defaultConfig(path.resolve(cwd)), problems: [] };
  const root = path.dirname(file);
  const fallback = { ...defaultConfig(root), file };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { config: fallback, problems: [{ file, line: 1, col: 1, code: 'CONFIG_INVALID', message: `cannot read ${CONFIG_FILE}: ${(error as Error).message}` }] };
  }
  const parsed = parseYaml(text, file);
  if (parsed.value === undefined || parsed.problems.length > 0) return { config: fallback, problems: parsed.problems };
  // An empty file is a config with nothing to say.
  const doc = parsed.value ?? {};
  const reporter = createReporter(parsed);
  if (!validateConfig) {
    const compiled = compileSchema(configSchema);
    if (compiled instanceof Error) throw compiled;
    validateConfig = compiled;
  }
  // Keys weft does not own belong to plugins (Plugin.settings): checked once the plugins are known.
  const { core, settings } = splitSettings(doc as Record<string, unknown>);
  // A key that is a near miss of weft's own is a typo now, not a plugin's key later.
  for (const key of Object.keys(settings)) {
    const near = suggest(key, Object.keys(configSchema.properties));
    if (near) reporter.add('UNKNOWN_KEY', [key], `unknown key "${key}" (did you mean "${near}"?)`, { target: 'key' });
  }
  if (!validateConfig(core) || reporter.problems.length) {
    reportSchemaErrors(validateConfig.errors ?? [], reporter, { root: core, base: [], invalid: 'CONFIG_INVALID' });
    return { config: fallback, problems: reporter.problems.sort(byPosition) };
  }
  const raw = core as Pick<PipelineDoc, 'pools' | 'models'> & Record<string, unknown>;
  const models = mergeModels(undefined, raw.models);
  if (models.default !== undefined && !isKnownModel(models.default, models)) {
    reporter.add('UNKNOWN_MODEL', ['models', 'default'], `models.default: no model alias "${models.default}"${didYouMean(models.default, Object.keys(models.aliases))}`);
    return { config: fallback, problems: reporter.problems };
  }
  const config: WeftConfig = {
    ...fallback,
    ...pick(raw, ['pipelinesDir', 'templatesDir', 'partialsDir', 'concurrency', 'workers', 'parallel', 'plugins', 'budget', 'queue', 'dotenv']),
    pools: normalizePools(raw.pools),
    settings,
  };

  if (raw.models !== undefined) config.models = raw.models;
  return { config, problems: [], parsed };
}

function splitSettings(doc: Record<string, unknown>): { core: Record<string, unknown>; settings: Record<string, unknown> } {
  const core: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) (Object.hasOwn(configSchema.properties, key) ? core : settings)[key] = value;
  return { core, settings };
}

function pick(raw: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => raw[key] !== undefined).map((key) => [key, raw[key]]));
}
