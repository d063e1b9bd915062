import { WeftError } from '../errors.js';
import { listPipelines, loadPipeline } from '../load/load.js';
import type { Loaded, Pipeline, Problem } from '../types.js';
import { suggest } from '../suggest.js';

/** Where the commands look for pipelines. */
export type LoadPlace = { dir?: string | undefined; cwd: string };

/**
 * Load a pipeline for a command, or throw a WeftError carrying every problem (exit 2).
 * An unknown name gets a did-you-mean from the pipelines folder.
 * @example const { pipeline, loaded } = await loadOrThrow('hello', { cwd: process.cwd() })
 */
export async function loadOrThrow(nameOrPath: string, place: LoadPlace): Promise<{ pipeline: Pipeline; loaded: Loaded }> {
  const { pipeline, loaded, problems } = await loadPipeline(nameOrPath, place);
  if (pipeline && loaded && problems.length === 0) return { pipeline, loaded };
  const withHints = await withSuggestions(nameOrPath, problems, place);
  const code = withHints[0]?.code ?? 'PIPELINE_INVALID';
  throw new WeftError(code, withHints[0]?.message ?? `${nameOrPath} is not a valid pipeline`, { problems: withHints });
}

/** Problems with a did-you-mean added to a PIPELINE_NOT_FOUND that has none. */
export async function withSuggestions(name: string, problems: Problem[], place: LoadPlace): Promise<Problem[]> {
  if (!problems.some((p) => p.code === 'PIPELINE_NOT_FOUND' && !/did you mean/i.test(p.message))) return problems;
  let names: string[] = [];
  try {
    names = (await listPipelines(place)).map((p) => p.name);
  } catch {
    // No pipelines folder: nothing to suggest, and the not-found message already says enough.
  }
  const hint = suggest(name, names);
  if (!hint) return problems;
  return problems.map((p) =>
    p.code === 'PIPELINE_NOT_FOUND' && !/did you mean/i.test(p.message)
      ? { ...p, message: `${p.message} (did you mean "${hint}"?)` }
      : p,
  );
}
