// `dotenv: [.env, .env.local]` in weft.config.yaml and in a pipeline: variables from files,
// parsed by Node's own util.parseEnv (the dotenv format: KEY=value, quotes, `export`, comments).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { WeftError } from '../errors.js';
import type { Pipeline } from '../types.js';

/**
 * `env` with the pipeline's dotenv files under it: the config's files, then the pipeline's, each
 * later file winning over an earlier one, and `env` (the process environment) winning over all.
 * Paths are relative to the project root. A listed file that does not exist is skipped (a
 * `.env.local` is often absent); one that exists but cannot be read is a CONFIG_INVALID error.
 * @example withDotenv(pipeline, process.env) // { ...(.env), ...(.env.local), ...process.env }
 */
export function withDotenv(pipeline: Pick<Pipeline, 'root' | 'dotenv' | 'config'>, env: Record<string, string | undefined>): Record<string, string | undefined> {
  const files = [...(pipeline.config.dotenv ?? []), ...(pipeline.dotenv ?? [])];
  if (files.length === 0) return env;
  const fromFiles: Record<string, string> = {};
  for (const name of files) Object.assign(fromFiles, readDotenv(path.resolve(pipeline.root, name)));
  const merged: Record<string, string | undefined> = { ...fromFiles };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

function readDotenv(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    const message = `${file}: cannot read dotenv file: ${(error as Error).message}`;
    throw new WeftError('CONFIG_INVALID', message, { problems: [{ file, line: 0, col: 0, code: 'CONFIG_INVALID', message: `cannot read dotenv file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] });
  }
  return parseEnv(text) as Record<string, string>;
}
