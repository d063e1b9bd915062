import type { JsonSchema } from '../../executor.js';
import { configSchema } from '../config.js';
import { loadRegistry } from '../registry.js';
import { buildConfigSchema, buildPipelineSchema, spliceTaskConditions, withoutEditorConditions } from './editor-schema.js';
import { PIPELINE_SCHEMA_ID } from './schema.js';

/**
 * The text of the published schemas, by file name: the pipeline schema file's hand-written part
 * (`current`, its editor conditions dropped) with a check of `with` per built-in executor, made
 * from each executor's own schema; and the config schema.
 * @example (await renderSchemas(text, root))['pipeline.schema.json']
 */
export async function renderSchemas(currentText: string, root: string): Promise<Record<string, string>> {
  const registry = await loadRegistry([], root);
  const own = Object.fromEntries([...registry.executors].map(([name, entry]) => [name, entry.executor.schema]));
  const base = withoutEditorConditions(JSON.parse(currentText) as JsonSchema);
  const pipeline = spliceTaskConditions(currentText, buildPipelineSchema(base, own));
  const config = buildConfigSchema(configSchema as unknown as JsonSchema, base, PIPELINE_SCHEMA_ID);
  return { 'pipeline.schema.json': pipeline, 'config.schema.json': `${JSON.stringify(config, null, 2)}\n` };
}
