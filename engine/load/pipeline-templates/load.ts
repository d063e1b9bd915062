// The loader's template step: after a file parsed and validated, expand its template calls,
// loading each template file through the same parse-and-validate path, recursively.
import { readFile } from 'node:fs/promises';
import type { LoadResult } from '../../types.js';
import type { ParsedYaml } from '../yaml.js';
import { expandTemplateCalls, type TemplateLink } from './expand.js';

/** What the loader's parse step returns for one file: its result and the parsed YAML (for positions). */
export type ParsedFile = LoadResult & { parsed?: ParsedYaml };

/** Parse, validate and normalize one file's text (the loader's own step). */
export type ParseFile = (text: string, file: string) => ParsedFile;

/**
 * Expand the template calls of a parsed file. Template files go through `parse` too, so they are
 * validated like any pipeline, and their problems keep their own file and line.
 * @example
 * const parse = (text, file) => parsePipeline(text, file, { config, registry });
 * const { pipeline, problems } = await expandParsed(parse(text, file), parse);
 */
export async function expandParsed(result: ParsedFile, parse: ParseFile, chain: TemplateLink[] = []): Promise<LoadResult> {
  const { pipeline, parsed } = result;
  if (!pipeline || !parsed || result.problems.length) return { problems: result.problems };
  const doc = parsed.value as { tasks?: Record<string, unknown> } | undefined;
  const expanded = await expandTemplateCalls(pipeline, {
    chain,
    at: (keyPath, target) => ({ file: parsed.file, ...parsed.positionOf(keyPath, target) }),
    raw: (id) => {
      const task = doc?.tasks?.[id];
      return task && typeof task === 'object' ? (task as Record<string, unknown>) : undefined;
    },
    load: async (file, above) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        return { problems: [{ file, line: 0, col: 0, code: 'PIPELINE_INVALID', message: `cannot read template ${file}: ${(error as Error).message}` }] };
      }
      return expandParsed(parse(text, file), parse, above);
    },
  });
  return expanded.problems.length ? { problems: expanded.problems } : { pipeline: expanded.pipeline, problems: [] };
}
