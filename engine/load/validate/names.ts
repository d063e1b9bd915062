// Names that must refer to something declared: pools, model aliases, allocate targets.
import { isKnownModel, mergeModels } from '../models.js';
import type { ModelsSpec, WeftConfig } from '../../types.js';
import { didYouMean } from '../../suggest.js';
import { isTemplate } from '../../handlebars/is-template.js';
import type { PathSegment } from '../yaml.js';
import { label, type Reporter } from './report.js';
import { isRecord, stringsOf, type RawTask } from './shape.js';

/** UNKNOWN_POOL for a `pool:` naming no pool of the pipeline or the config. */
export function checkPools(doc: Record<string, unknown>, tasks: Record<string, RawTask>, config: WeftConfig, reporter: Reporter): void {
  const pools = new Set([...Object.keys(config.pools), ...Object.keys(isRecord(doc.pools) ? doc.pools : {})]);
  const check = (pool: unknown, path: PathSegment[]) => {
    // A templated pool is known per instance; the run says if it names none.
    if (typeof pool !== 'string' || pools.has(pool) || isTemplate(pool)) return;
    const declared = pools.size === 0 ? ' (no pools are declared)' : didYouMean(pool, pools);
    reporter.add('UNKNOWN_POOL', path, `${label(path)}: no pool "${pool}"${declared}`);
  };
  if (isRecord(doc.defaults)) check(doc.defaults.pool, ['defaults', 'pool']);
  for (const [id, task] of Object.entries(tasks)) check(task.pool, ['tasks', id, 'pool']);
}

/**
 * UNKNOWN_MODEL for a model name that is neither a declared alias nor a full model id;
 * UNKNOWN_NEED for an `allocate` target naming no task.
 */
export function checkModels(doc: Record<string, unknown>, tasks: Record<string, RawTask>, config: WeftConfig, reporter: Reporter): void {
  const own = isRecord(doc.models) ? doc.models : {};
  const aliases = isRecord(own.aliases) ? (own.aliases as Record<string, string>) : {};
  const models: ModelsSpec = mergeModels(config.models, { aliases });
  const names = Object.keys(models.aliases);
  const check = (name: unknown, path: PathSegment[], target: 'key' | 'value' = 'value') => {
    if (typeof name !== 'string' || isKnownModel(name, models) || isTemplate(name)) return;
    reporter.add('UNKNOWN_MODEL', path, `${label(path)}: no model alias "${name}"${didYouMean(name, names)}; declare it under models.aliases or use a full model id`, { target });
  };
  check(own.default, ['models', 'default']);
  if (isRecord(doc.defaults)) check(doc.defaults.model, ['defaults', 'model']);
  for (const [id, task] of Object.entries(tasks)) check(task.model, ['tasks', id, 'model']);
  if (!isRecord(own.allocate)) return;
  const ids = Object.keys(tasks);
  for (const [alias, targets] of Object.entries(own.allocate)) {
    check(alias, ['models', 'allocate', alias], 'key');
    stringsOf(targets).forEach((target, i) => {
      if (target.startsWith('tag:') || Object.hasOwn(tasks, target)) return;
      const path = ['models', 'allocate', alias, i];
      reporter.add('UNKNOWN_NEED', path, `${label(path)}: no task "${target}"${didYouMean(target, ids)} (write tag:<tag> for a tag)`);
    });
  }
}
