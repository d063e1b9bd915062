// `weft init`: copy a built-in starter project (starters/<name>/) into a folder, never
// overwriting a file unless asked.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from './errors.js';
import { packageRoot } from './paths.js';
import { parseYaml } from './load/yaml.js';
import { didYouMean } from './suggest.js';

/** The starter `weft init` uses without `--template`: it runs with nothing but a shell. */
export const defaultStarter = 'parallel-shell';

/** Where the built-in starters live: one folder per starter, laid out as the project it makes. */
export const startersDir = path.join(packageRoot, 'starters');

export type Starter = { name: string; description: string; files: string[] };

export type InitOptions = {
  /** Folder to write into (created when missing). */
  cwd: string;
  /** Starter name (default: `parallel-shell`). */
  template?: string | undefined;
  /** Overwrite files that exist. */
  force?: boolean | undefined;
};

export type InitResult = { starter: string; written: string[]; overwritten: string[] };

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/**
 * The built-in starters, each described by its pipeline's `description:`.
 * @example (await listStarters()).map((s) => s.name) // ['audit', 'llm-fanout', 'parallel-shell']
 */
export async function listStarters(): Promise<Starter[]> {
  const names = (await readdir(startersDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const starters: Starter[] = [];
  for (const name of names.sort()) {
    const files = await listFiles(path.join(startersDir, name));
    starters.push({ name, description: await readDescription(name), files });
  }
  return starters;
}

async function readDescription(name: string): Promise<string> {
  const file = path.join(startersDir, name, 'pipelines', `${name}.yaml`);
  // A starter without a pipeline named after it still installs; it just has no blurb.
  if (!existsSync(file)) return '';
  const doc = parseYaml(await readFile(file, 'utf8'), file).value as { description?: unknown } | undefined;
  return typeof doc?.description === 'string' ? doc.description : '';
}

/**
 * Write a starter's files (weft.config.yaml, pipelines/<name>.yaml, …) into `cwd`. Checks every
 * file first: if any exists and `force` is not set, nothing is written and the USAGE error names
 * each one (exit 2). An unknown starter is a USAGE error listing the known ones.
 * @example
 * await initProject({ cwd: '/tmp/new' }) // { starter: 'parallel-shell', written: ['pipelines/parallel-shell.yaml', 'weft.config.yaml'], overwritten: [] }
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const name = options.template ?? defaultStarter;
  const starters = await listStarters();
  const starter = starters.find((s) => s.name === name);
  if (!starter) {
    const names = starters.map((s) => s.name);
    throw new WeftError('USAGE', `unknown starter "${name}"${didYouMean(name, names)} (starters: ${names.join(', ')})`);
  }
  const existing = starter.files.filter((rel) => existsSync(path.join(options.cwd, rel)));
  if (existing.length && !options.force) {
    const list = existing.map((rel) => rel.split(path.sep).join('/')).join(', ');
    throw new WeftError('USAGE', `${list} already exist${existing.length === 1 ? 's' : ''}; nothing written (use --force to overwrite)`);
  }
  for (const rel of starter.files) {
    const target = path.join(options.cwd, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(path.join(startersDir, name, rel)));
  }
  const posix = (rel: string) => rel.split(path.sep).join('/');
  return {
    starter: name,
    written: starter.files.filter((rel) => !existing.includes(rel)).map(posix),
    overwritten: existing.map(posix),
  };
}
