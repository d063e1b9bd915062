// Model allocation: which model an llm task calls, from aliases the pipeline and config declare.
import type { ModelsSpec } from '../types.js';

/** A full model id rather than an alias: `claude-…`, accepted without declaring it. */
const MODEL_ID = /^claude-[a-z0-9][a-z0-9.-]*$/;

export function isModelId(value: string): boolean {
  return MODEL_ID.test(value);
}

/** True when `name` is a declared alias or a full model id. */
export function isKnownModel(name: string, models: Pick<ModelsSpec, 'aliases'>): boolean {
  return Object.hasOwn(models.aliases, name) || isModelId(name);
}

/** The model id an alias stands for; a full id stands for itself. */
export function resolveModel(name: string, models: Pick<ModelsSpec, 'aliases'>): string {
  return Object.hasOwn(models.aliases, name) ? models.aliases[name]! : name;
}

/**
 * The model id for one task: its own `model`, else the first `allocate` entry naming its id or
 * one of its tags (`tag:<tag>`), else `models.default`; aliases resolved. Undefined when nothing
 * applies (the executor then uses its own default).
 * @example
 * const models = { default: 'sonnet', aliases: { opus: 'claude-opus-5-5', sonnet: 'claude-sonnet-5-5' }, allocate: { opus: ['tag:critical'] } };
 * allocateModel({ id: 'security', tags: ['critical'] }, models); // 'claude-opus-5-5'
 * allocateModel({ id: 'summary', tags: [] }, models);            // 'claude-sonnet-5-5'
 */
export function allocateModel(task: { id: string; tags?: readonly string[]; model?: string }, models: ModelsSpec): string | undefined {
  if (task.model) return resolveModel(task.model, models);
  const tags = new Set((task.tags ?? []).map((tag) => `tag:${tag}`));
  for (const [alias, targets] of Object.entries(models.allocate)) {
    if (targets.some((target) => target === task.id || tags.has(target))) return resolveModel(alias, models);
  }
  return models.default === undefined ? undefined : resolveModel(models.default, models);
}

/**
 * The pipeline's `models:` over the config's: the pipeline's default and aliases win, and its
 * allocate entries come first so they match first.
 * @example mergeModels({ aliases: { a: 'claude-x' } }, { default: 'a' }) // { default: 'a', aliases: { a: 'claude-x' }, allocate: {} }
 */
export function mergeModels(config: Partial<ModelsSpec> | undefined, own: Partial<ModelsSpec> | undefined): ModelsSpec {
  const merged: ModelsSpec = {
    aliases: { ...config?.aliases, ...own?.aliases },
    allocate: { ...own?.allocate },
  };
  for (const [alias, targets] of Object.entries(config?.allocate ?? {})) if (!Object.hasOwn(merged.allocate, alias)) merged.allocate[alias] = targets;
  const fallback = own?.default ?? config?.default;
  if (fallback !== undefined) merged.default = fallback;
  return merged;
}
