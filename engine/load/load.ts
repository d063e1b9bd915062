// Find a pipeline by name or path, read it, validate it, and hand back a Pipeline or every problem.
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from './config.js';
import { normalizePipeline } from './normalize.js';
import type { Registry } from './registry.js';
import { loadProject, sha256, sourceHash, type SourceFile } from './project.js';
import { didYouMean } from '../suggest.js';
import type { LoadOptions, LoadResult, Problem, WeftConfig } from '../types.js';
import { validatePipeline } from './validate.js';
import { runField } from './validate/executors.js';
import { parseYaml } from './yaml.js';
import type { PipelineDoc } from './document.js';
import type { TemplateEngine } from '../handlebars/render.js';
import { expandParsed, type ParsedFile } from './pipeline-templates/load.js';

/** What `weft run <name>` accepts as a name; anything else must be an existing file. */
export const PIPELINE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const EXTENSIONS = ['.yaml', '.yml'];

export type PipelineEntry = { name: string; file: string; description?: string };

/** A problem with no place in a file (the CLI prints it without `:line:col`). */
function unplaced(code: Problem['code'], message: string, file = ''): Problem {
  return { file, line: 0, col: 0, code, message };
}

/**
 * Load, validate and normalize a pipeline. `nameOrPath` is a name looked up as `<name>.yaml` or
 * `<name>.yml` in the pipelines folder, or a path to a .yaml/.yml file. Never throws for the
 * user's mistakes: a missing file, bad YAML or an invalid pipeline come back as problems.
 * @example
 * const { pipeline, problems } = await loadPipeline('build', { cwd: '/repo' });
 * if (!pipeline) for (const p of problems) console.error(formatProblem(p));
 */
export async function loadPipeline(nameOrPath: string, options: LoadOptions & { registry?: Registry } = {}): Promise<LoadResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const { config, problems: configProblems } = await loadConfig(cwd);
  if (configProblems.length > 0) return { problems: configProblems };
  const found = await resolvePipelineFile(nameOrPath, pipelinesFolder(config, cwd, options.dir), cwd);
  if ('problem' in found) return { problems: [found.problem] };

  let text: string;
  try {
    text = await readFile(found.file, 'utf8');
  } catch (error) {
    return { problems: [unplaced('PIPELINE_NOT_FOUND', `cannot read ${found.file}: ${(error as Error).message}`, found.file)] };
  }
  const { project, problems } = await loadProject(cwd, options.registry);
  if (!project) return { problems };
  // Every file read on the way (the pipeline, its template files) is hashed for --resume.
  const files: SourceFile[] = [];
  const parse = (source: string, at: string) => {
    files.push({ file: at, sha256: sha256(source) });
    return parsePipeline(source, at, project);
  };
  const result = await expandParsed(parse(text, found.file), parse);
  if (!result.pipeline) return result;
  if (config.file) files.push({ file: config.file, sha256: sha256(await readFile(config.file, 'utf8')) });
  const { registry, engine, partials } = project;
  return { ...result, loaded: { registry, engine, partials, files, sourceHash: sourceHash(files, partials) } };
}

/**
 * The synchronous core of loadPipeline, for text already in hand.
 * @example parsePipeline('tasks:\n  a: { run: echo hi }\n', '/repo/p.yaml', { config, registry })
 */
export function parsePipeline(text: string, file: string, context: { config: WeftConfig; registry: Registry; engine?: TemplateEngine }): ParsedFile {
  const parsed = parseYaml(text, file);
  const problems = validatePipeline(parsed, context);
  if (problems.length > 0) return { problems };
  const pipeline = normalizePipeline(parsed.value as PipelineDoc, {
    file,
    config: context.config,
    runField: (uses) => runField(context.registry, uses),
    usesModel: (uses) => context.registry.executors.get(uses)?.executor.usesModel === true,
    taskPositions: parsed.keyPositions(['tasks']),
  });
  return { pipeline, problems: [], parsed };
}

/** `--dir` (relative to cwd), else the config's pipelinesDir (relative to the project root). */
export function pipelinesFolder(config: WeftConfig, cwd: string, dir?: string): string {
  return dir === undefined ? path.resolve(config.root, config.pipelinesDir) : path.resolve(cwd, dir);
}

/** The file a name or path stands for, or the one problem that says why there is none. */
export async function resolvePipelineFile(nameOrPath: string, folder: string, cwd: string): Promise<{ file: string } | { problem: Problem }> {
  if (PIPELINE_NAME.test(nameOrPath)) {
    for (const ext of EXTENSIONS) {
      const file = path.join(folder, nameOrPath + ext);
      if (isFile(file)) return { file };
    }
    const names = (await listPipelineFiles(folder)).map((f) => f.name);
    const where = path.relative(cwd, folder) || '.';
    return { problem: unplaced('PIPELINE_NOT_FOUND', `no pipeline "${nameOrPath}" in ${where}${didYouMean(nameOrPath, names)}`) };
  }
  const file = path.resolve(cwd, nameOrPath);
  if (!isFile(file)) {
    return { problem: unplaced('USAGE', `"${nameOrPath}" is neither a pipeline name (lowercase letters, digits, _ and -) nor an existing file`) };
  }
  if (!EXTENSIONS.includes(path.extname(file))) {
    return { problem: unplaced('USAGE', `"${nameOrPath}" is not a pipeline file (.yaml or .yml)`) };
  }
  return { file };
}

/**
 * The pipelines of a folder, by the name that runs them (the file name), with descriptions.
 * A missing folder has none.
 * @example await listPipelines({ cwd: '/repo' }) // [{ name: 'build', file: '/repo/pipelines/build.yaml', description: '…' }]
 */
export async function listPipelines(options: LoadOptions = {}): Promise<PipelineEntry[]> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const { config } = await loadConfig(cwd);
  const entries = await listPipelineFiles(pipelinesFolder(config, cwd, options.dir));
  for (const entry of entries) {
    try {
      const { value } = parseYaml(await readFile(entry.file, 'utf8'), entry.file);
      const description = (value as { description?: unknown } | undefined)?.description;
      if (typeof description === 'string') entry.description = description;
    } catch {
      // Unreadable files still list; `weft validate` says what is wrong with them.
    }
  }
  return entries;
}

async function listPipelineFiles(folder: string, skipped: Problem[] = []): Promise<PipelineEntry[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const seen = new Map<string, string>();
  const entries: PipelineEntry[] = [];
  for (const name of names.sort()) {
    const ext = path.extname(name);
    const base = name.slice(0, -ext.length);
    const file = path.join(folder, name);
    if (!EXTENSIONS.includes(ext) || !isFile(file)) continue;
    if (!PIPELINE_NAME.test(base)) {
      const suggested = base.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
      const hint = suggested ? ` (rename it to ${suggested}${ext})` : '';
      skipped.push(unplaced('PIPELINE_INVALID', `not a pipeline: "${base}" is not a pipeline name (lowercase letters, digits, _ and -)${hint}`, file));
      continue;
    }
    const taken = seen.get(base);
    if (taken) {
      skipped.push(unplaced('PIPELINE_INVALID', `not a pipeline: ${path.basename(taken)} already has the name "${base}"`, file));
      continue;
    }
    seen.set(base, name);
    entries.push({ name: base, file });
  }
  return entries;
}

/**
 * The .yaml/.yml files of the pipelines folder that no name can run (`Deploy.yaml`, `my
 * pipeline.yaml`, `a.yml` beside `a.yaml`), one problem each, for `weft validate`.
 * @example await skippedPipelineFiles({ cwd: '/repo' }) // [{ file: '/repo/pipelines/Deploy.yaml', message: 'not a pipeline: …' }]
 */
export async function skippedPipelineFiles(options: LoadOptions = {}): Promise<Problem[]> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const { config } = await loadConfig(cwd);
  const skipped: Problem[] = [];
  await listPipelineFiles(pipelinesFolder(config, cwd, options.dir), skipped);
  return skipped;
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
