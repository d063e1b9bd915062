import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../support/project.js';
import { formatProblem } from '../../engine/errors.js';
import { loadPipeline } from '../../engine/load/load.js';
import type { Pipeline, Problem } from '../../engine/types.js';

export const shareFixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/share');

/** A fresh copy of test/fixtures/share (projects and the acme-weft package side by side). */
export function copyShareFixtures(): string {
  const dir = makeTempDir('weft-share-');
  cpSync(shareFixtures, dir, { recursive: true });
  return dir;
}

/** Load a pipeline of a fixture project, failing with every problem when it is invalid. */
export async function loadValid(project: string, name: string): Promise<Pipeline> {
  const { pipeline, problems } = await loadPipeline(name, { cwd: project });
  if (!pipeline || problems.length) throw new Error(problems.map(formatProblem).join('\n'));
  return pipeline;
}

/** Problems as the CLI prints them, paths relative to the project. */
export function lines(problems: Problem[], project: string): string[] {
  return problems.map((p) => formatProblem({ ...p, file: path.relative(project, p.file) }));
}
