// The schemas published for editors (schemas/*.json) are made from the ones weft checks with:
// the pipeline schema gains, per executor, an if/then that checks `with` against that executor's
// own schema; the config schema is the one config.ts checks with, its references to the pipeline
// schema copied in so it stands alone. `npm run build` writes them (scripts/schemas.mjs); a test keeps them current.
import type { Pair } from 'yaml';
import { yaml } from '../yaml-library.js';
import type { JsonSchema } from '../../executor.js';

const { isMap, isScalar, parseDocument } = yaml;

type Schema = Record<string, any>;

/** A string holding `{{`: any `with` value may be a template, rendered before the executor sees it. */
const TEMPLATE = { type: 'string', pattern: '\\{\\{', description: 'A template, rendered before the run' };

/**
 * The pipeline schema with each executor's `with` checked when `uses` names it (and shell's when
 * `run:` is used), for editors. The engine checks `with` itself (validate/executors.ts), so it
 * loads the schema without these conditions.
 * @example buildPipelineSchema(readPipelineSchema(), { shell: shell.schema })
 */
export function buildPipelineSchema(base: JsonSchema, executors: Record<string, JsonSchema>, runExecutor = 'shell'): JsonSchema {
  const schema = structuredClone(base) as Schema;
  const task = schema.definitions.task as Schema;
  const conditions: Schema[] = Object.entries(executors)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, own]) => ({
      if: { required: ['uses'], properties: { uses: { const: name } } },
      then: { properties: { with: { ...allowTemplates(own), description: `The ${name} executor's parameters.` } } },
    }));
  const run = executors[runExecutor];
  // `run:` fills the executor's command field, so `with` need not name it.
  if (run) conditions.push({ if: { required: ['run'] }, then: { properties: { with: { ...allowTemplates(withoutRequired(run)), description: 'Parameters of the shell command.' } } } });
  task.allOf = conditions;
  return schema as JsonSchema;
}

/**
 * The schema file's text with `definitions.task.allOf` set to the conditions of `schema`, and
 * every other byte as it was: the rest of the file is written by hand, in its own layout.
 * @example spliceTaskConditions(text, buildPipelineSchema(base, executors))
 */
export function spliceTaskConditions(text: string, schema: JsonSchema): string {
  const conditions = ((schema as Schema).definitions.task as Schema).allOf;
  const task = parseDocument(text).getIn(['definitions', 'task'], true);
  if (!isMap(task)) throw new Error('schemas/pipeline.schema.json has no definitions.task object');
  const pairs = task.items as Pair[];
  const keyOf = (p: Pair) => (isScalar(p.key) ? p.key.value : undefined);
  const kept = pairs.filter((p) => keyOf(p) !== 'allOf');
  const last = kept.at(-1)!;
  const from = (last.value as { range: [number, number, number] }).range[1];
  const old = pairs.find((p) => keyOf(p) === 'allOf');
  const to = old ? (old.value as { range: [number, number, number] }).range[1] : from;
  const indent = ' '.repeat(6);
  const block = JSON.stringify(conditions, null, 2).replace(/\n/g, `\n${indent}`);
  return `${text.slice(0, from)},\n${indent}"allOf": ${block}${text.slice(to)}`;
}

/** The pipeline schema as the engine validates with: without the editor-only `with` conditions. */
export function withoutEditorConditions(schema: JsonSchema): JsonSchema {
  const task = (schema as Schema).definitions?.task as Schema | undefined;
  if (task) delete task.allOf;
  return schema;
}

/**
 * The config schema standing alone: `$ref`s into the pipeline schema point at copies of those
 * definitions (and the definitions they use) in its own `definitions`.
 */
export function buildConfigSchema(config: JsonSchema, pipeline: JsonSchema, pipelineId: string): JsonSchema {
  const definitions = (pipeline as Schema).definitions as Record<string, Schema>;
  const copied: Record<string, Schema> = {};
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && /#\/definitions\//.test(value) && (value.startsWith(pipelineId) || value.startsWith('#'))) {
        const name = value.slice(value.indexOf('#/definitions/') + '#/definitions/'.length);
        if (!(name in copied)) {
          copied[name] = {};
          copied[name] = rewrite(definitions[name]) as Schema;
        }
        out.$ref = `#/definitions/${name}`;
      } else out[key] = rewrite(value);
    }
    return out;
  };
  const schema = rewrite(config) as Schema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...schema,
    title: 'weft.config.yaml',
    description: 'Project-wide settings of weft: folders, concurrency, pools, models, budget, plugins.',
    definitions: Object.fromEntries(Object.entries(copied).sort(([a], [b]) => (a < b ? -1 : 1))),
  } as JsonSchema;
}

// Each property whose type has no string may also be a template (`maxTokens: "{{inputs.n}}"`).
function allowTemplates(schema: JsonSchema): Schema {
  const out = structuredClone(schema) as Schema;
  for (const [key, prop] of Object.entries((out.properties ?? {}) as Record<string, Schema>)) {
    const types = prop.type === undefined ? [] : [prop.type].flat();
    if (types.length === 0 || types.includes('string')) continue;
    const { description, ...rest } = prop;
    out.properties[key] = { ...(description ? { description } : {}), anyOf: [rest, TEMPLATE] };
  }
  return out;
}

function withoutRequired(schema: JsonSchema): JsonSchema {
  const { required: _, ...rest } = schema as Schema;
  return rest as JsonSchema;
}
