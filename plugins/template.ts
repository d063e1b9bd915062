// `uses: template`: render a Handlebars file (or inline source) with the task's scope and write it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WeftError } from '../engine/plugin.js';
import type { Executor, HelperFn, Plugin } from '../engine/plugin.js';
import { loadTemplating, type TemplateEngine, type Templating } from '../engine/plugin.js';
import { resolveInside, resolveReadable, writeAtomic } from './template/write-atomic.js';

export type TemplateWith = { template?: string; source?: string; to: string; data?: unknown };

export type TemplateOutput = { path: string; bytes: number };

type Templates = Templating;
// Handlebars loads with the first template task, not in every worker's start-up.
let templates: Promise<Templates> | undefined;
const engines = new Map<string, TemplateEngine>();

// One isolated environment per set of partials and helper modules, built once per worker and reused.
async function engineFor(t: Templates, partials: Record<string, string> = {}, helperModules: string[] = []): Promise<TemplateEngine> {
  const key = JSON.stringify([partials, helperModules]);
  let engine = engines.get(key);
  if (!engine) {
    engine = t.createTemplateEngine({ partials, helpers: await importHelpers(helperModules) });
    engines.set(key, engine);
  }
  return engine;
}

// Plugin helpers are functions, so they cannot be sent to a worker: the worker imports the
// plugin modules that declare them, as it does for executors.
async function importHelpers(moduleUrls: string[]): Promise<Record<string, HelperFn>> {
  const helpers: Record<string, HelperFn> = {};
  for (const url of moduleUrls) {
    const mod = (await import(url)) as { default?: Plugin } & Plugin;
    Object.assign(helpers, (mod.default ?? mod).helpers);
  }
  return helpers;
}

/**
 * Renders `template` (a file, relative to the root) or `source` with the task's scope plus
 * `data`, and writes it atomically to `to`, which must stay inside the project root.
 * Partials come from `ctx.options.partials` (name -> source) and plugin helpers from the modules in
 * `ctx.options.helperModules`, when the engine passes them.
 * @example
 * // with: { template: templates/report.md.hbs, to: out/report.md, data: { title: Weekly } }
 * // -> { path: "out/report.md", bytes: 1234 }
 */
export const template: Executor<TemplateWith, TemplateOutput> = {
  description: 'Render a Handlebars template to a file; output { path, bytes }',
  // No process of its own: a run of such tasks forks no watchdog.
  startsProcesses: false,
  // Handlebars (~50 ms) loads while the pool warms up: reading an engine's hb sets it up.
  async warmUp() {
    void (await loadTemplating()).createTemplateEngine().hb;
  },
  needsScope: true,
  outputFields: ['path', 'bytes'],
  // Rendered here, once, with the scope and `data`; the engine leaves it as written.
  rawFields: ['source'],
  schema: {
    type: 'object',
    required: ['to'],
    additionalProperties: false,
    // Exactly one of template and source (the branches name their property, as ajv's strict mode asks).
    oneOf: [
      { properties: { template: { type: 'string' } }, required: ['template'] },
      { properties: { source: { type: 'string' } }, required: ['source'] },
    ],
    properties: {
      template: { type: 'string', minLength: 1, description: 'Template file, relative to the project root and inside it' },
      source: { type: 'string', description: 'Inline template text, instead of a template file' },
      to: { type: 'string', minLength: 1, description: 'File to write, relative to the project root and inside it' },
      data: { description: 'Extra values, available in the template as `data`' },
    },
  },
  async run(w, ctx) {
    const target = resolveInside(ctx.root, w.to);
    const source = w.source ?? (await readTemplate(ctx.root, w.template!));
    const { scope = {}, partials, helperModules } = ctx.options;
    const t = await (templates ??= loadTemplating());
    const engine = await engineFor(t, partials, helperModules);
    // formatText, not String(): a file that is one {{object}} renders as JSON, not [object Object].
    const text = t.formatText(t.renderString(engine, source, { ...scope, data: w.data }));
    ctx.signal.throwIfAborted();
    const bytes = await writeAtomic(ctx.root, target, text);
    return { path: w.to, bytes };
  },
};

async function readTemplate(root: string, file: string): Promise<string> {
  try {
    return await readFile(await resolveReadable(root, file), 'utf8');
  } catch (cause) {
    if ((cause as WeftError).code === 'TASK_FAILED') throw cause;
    throw new WeftError('TASK_FAILED', `cannot read template ${file}: ${(cause as Error).message}`, { cause });
  }
}
