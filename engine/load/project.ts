// What every command that reads a project builds once: its config, its plugins (the registry),
// its partials and the one template engine made from them. loadPipeline hands these on with the
// pipeline, so a run, a plan and `weft plugins` never build them again.
import { createHash } from 'node:crypto';
import { isWeftError } from '../errors.js';
import { createTemplateEngine, type TemplateEngine } from '../handlebars/render.js';
import type { Problem, WeftConfig } from '../types.js';
import { loadConfig } from './config.js';
import { loadPartials } from './partials.js';
import { loadRegistry, type Registry } from './registry.js';
import { checkSettings } from './settings.js';

export type Project = { config: WeftConfig; registry: Registry; partials: Record<string, string>; engine: TemplateEngine };

/** A file a pipeline was assembled from, by content hash: `--resume` reuses a run only when none changed. */
export type SourceFile = { file: string; sha256: string };

/**
 * The project around `cwd`, or the problems that stop it from loading (bad config, a plugin that
 * fails to import, a helper named like a built-in). Never throws for the user's mistakes.
 * @example const { project, problems } = await loadProject('/repo')
 */
export async function loadProject(cwd: string, registry?: Registry): Promise<{ project?: Project; problems: Problem[] }> {
  const { config, problems, parsed } = await loadConfig(cwd);
  if (problems.length > 0) return { problems };
  try {
    const reg = registry ?? (await loadRegistry(config.plugins, config.root));
    const settingsProblems = checkSettings(config, reg, parsed);
    if (settingsProblems.length) return { problems: settingsProblems };
    const partials = await loadPartials(config);
    return { project: { config, registry: reg, partials, engine: engineFor(reg, partials) }, problems: [] };
  } catch (error) {
    if (isWeftError(error) && error.problems?.length) return { problems: error.problems };
    const code = isWeftError(error) ? error.code : 'PLUGIN_INVALID';
    return { problems: [{ file: config.file ?? '', line: 0, col: 0, code, message: (error as Error).message }] };
  }
}

/**
 * The template engine of a project: weft's helpers, the plugins' helpers and the partials.
 * @example engineFor(registry, { footer: '—' })
 */
export function engineFor(registry: Registry, partials: Record<string, string> = {}): TemplateEngine {
  const helpers = Object.fromEntries([...registry.helpers].map(([name, h]) => [name, h.fn]));
  return createTemplateEngine({ helpers, partials });
}

/** sha256 of a text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * One hash over every file a pipeline came from and the partials it may render.
 * @example sourceHash([{ file: '/p.yaml', sha256: 'ab…' }], {}) // 'e3…'
 */
export function sourceHash(files: SourceFile[], partials: Record<string, string>): string {
  const lines = files.map((f) => `${f.file}\0${f.sha256}`).sort();
  for (const [name, source] of Object.entries(partials).sort()) lines.push(`partial:${name}\0${sha256(source)}`);
  return sha256(lines.join('\n'));
}
