import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WeftError } from '../errors.js';
import { analyzeTemplate, isTemplate, type TemplateEngine } from '../handlebars/render.js';
import type { BaseScope, Pipeline, TaskSpec } from '../types.js';
import { listTasks } from './state.js';

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    // Only a template that names `secrets` can read one; the rest need no analysis.
    if (value.includes('secrets') && isTemplate(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const key in value) collectStrings((value as Record<string, unknown>)[key], out);
  }
}

/**
 * The secrets the pipeline's templates read, from the environment. Missing ones fail the run
 * before any task starts, naming each, rather than halfway through.
 * @example readSecrets(pipeline, engine, process.env) // { TOKEN: 's3cr3t' }
 */
export function readSecrets(
  pipeline: Pipeline,
  engine: TemplateEngine,
  env: Record<string, string | undefined>,
  partials: Record<string, string> = {},
): Record<string, string> {
  const secrets: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of secretNames(pipeline, engine, partials)) {
    const value = env[name];
    if (value === undefined || value === '') missing.push(name);
    else secrets[name] = value;
  }
  if (missing.length) {
    throw new WeftError('INPUT_INVALID', `secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set in the environment`);
  }
  return secrets;
}

/**
 * The fields of a task that may hold templates (rendered while it runs), and those that never do.
 * Walking only the first kind took secretNames from 12.6 to 2.2 ms on 10,000 tasks: a for-in
 * over each task's every field was most of it. Each field is in one list or the other, or the
 * build fails (everyFieldListed).
 */
const RENDERED_FIELDS = ['with', 'if', 'guards', 'forEach', 'matrix', 'loopScope', 'locks', 'continueOnErrorIf', 'templated', 'service', 'scope', 'env'] as const satisfies ReadonlyArray<keyof TaskSpec>;
const PLAIN_FIELDS = [
  'id', 'uses', 'needs', 'when', 'concurrency', 'pool', 'retry', 'timeoutMs', 'continueOnError', 'once', 'onceKey', 'group', 'model',
  'tags', 'runsOn', 'priority', 'cache', 'batch', 'pos', 'description', 'internal', 'sources', 'generates', 'join',
] as const satisfies ReadonlyArray<keyof TaskSpec>;
type Unlisted = Exclude<keyof TaskSpec, (typeof RENDERED_FIELDS)[number] | (typeof PLAIN_FIELDS)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : never = true;
void everyFieldListed;

/**
 * The names of the secrets the pipeline's templates read (`secrets.X`), partials and template
 * files included: `{{secrets.X}}` in them must find X.
 * @example secretNames(pipeline, engine) // Set { 'TOKEN' }
 */
export function secretNames(pipeline: Pipeline, engine: TemplateEngine, partials: Record<string, string> = {}): Set<string> {
  const sources: string[] = [];
  const tasks = listTasks(pipeline);
  for (const task of tasks) {
    for (const field of RENDERED_FIELDS) {
      const value = task[field];
      if (value !== undefined) collectStrings(value, sources);
    }
  }
  collectStrings(pipeline.outputs, sources);
  collectStrings(pipeline.env, sources);
  collectStrings(Object.values(partials), sources);
  collectStrings(templateFiles(pipeline.root, tasks), sources);
  const names = new Set<string>();
  for (const source of sources) {
    for (const p of analyzeTemplate(engine, source).paths) {
      if (p.startsWith('secrets.')) names.add(p.split('.')[1]!);
    }
  }
  return names;
}

/**
 * The text of each `uses: template` task's template file whose name is not itself a template.
 * A file that cannot be read is left to the task, which reports it when it runs.
 */
function templateFiles(root: string, tasks: TaskSpec[]): string[] {
  const texts: string[] = [];
  for (const task of tasks) {
    const file = task.with['template'];
    if (task.uses !== 'template' || typeof file !== 'string' || isTemplate(file)) continue;
    try {
      texts.push(readFileSync(path.resolve(root, file), 'utf8'));
    } catch {
      // the task says why when it runs
    }
  }
  return texts;
}

// `*_TOKEN`, `*_KEY`, `*_SECRET`, `PASSWORD` (and `*_PASSWORD`): names people give credentials.
const SECRET_NAME = /(^|_)(TOKEN|KEY|SECRET|PASSWORD)$/i;

/**
 * Values of environment variables whose names look secret: masked like `secrets.*` in every
 * event and report, since `{{env.X}}` (or a task's own `$X`) may print them.
 * @example secretLookingValues({ GITHUB_TOKEN: 'ghp_x', HOME: '/root' }) // ['ghp_x']
 */
export function secretLookingValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== '' && SECRET_NAME.test(name))
    .map(([, value]) => value);
}
