import type { JsonSchema } from '../../engine/plugin.js';

/** One slice of context: a value the engine already rendered, or files under the project root. */
export type ContextEntry = { label: string; value: unknown } | { label: string; files: string | string[] };

/** `with:` of an llm task, after rendering. */
export type LlmWith = {
  prompt: string;
  system?: string;
  /** Sent first, marked for prompt caching, so every instance of a fan-out reuses it. */
  shared?: string;
  maxTokens?: number;
  output?: 'text' | 'json';
  schema?: JsonSchema;
  stopSequences?: string[];
  context?: ContextEntry[];
  contextMaxTokens?: number;
  truncate?: boolean;
};

export const defaultMaxTokens = 1024;

// API version 2026-10-21 rejects sampling parameters outright; naming them here (instead of
// leaving them to additionalProperties) puts the reason next to the error for the author.
const removedSampling = {
  not: {},
  description: 'not supported: Anthropic API version 2026-10-21 rejects temperature, top_p and top_k; remove it',
};

/** JSON Schema of `with:`, strict-mode clean for ajv. */
export const llmWithSchema: JsonSchema = {
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: {
    prompt: { type: 'string', minLength: 1, description: 'the user message; context slices are placed before it' },
    system: { type: 'string', description: 'the system prompt, sent after the shared block' },
    shared: { type: 'string', description: 'a block shared by every instance of a fan-out, sent first with prompt caching' },
    maxTokens: { type: 'integer', minimum: 1, default: defaultMaxTokens, description: 'most tokens the answer may use (also what the pool and budget weigh)' },
    output: { enum: ['text', 'json'], default: 'text', description: 'json: extract, parse and check the answer against `schema`, re-asking when it does not fit' },
    schema: { type: 'object', description: 'JSON Schema the json output must match' },
    stopSequences: { type: 'array', items: { type: 'string' }, description: 'strings that end the answer early' },
    context: {
      type: 'array',
      description: 'what goes into the prompt besides it: rendered values and files by glob, each under a label',
      items: {
        type: 'object',
        required: ['label'],
        additionalProperties: false,
        properties: {
          label: { type: 'string', minLength: 1, description: 'the heading the slice is sent under' },
          value: { description: 'any rendered value; non-strings are sent as JSON' },
          files: {
            anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
            description: 'glob(s) under the project root, e.g. src/**/*.ts',
          },
        },
        // Exactly one source per slice. `properties: { x: true }` restates the key so ajv's strict mode
        // accepts a `required` inside the branch.
        oneOf: [
          { properties: { value: true }, required: ['value'] },
          { properties: { files: true }, required: ['files'] },
        ],
      },
    },
    contextMaxTokens: { type: 'integer', minimum: 1, description: 'most tokens the context may take; over it is CONTEXT_TOO_LARGE unless truncate' },
    truncate: { type: 'boolean', default: false, description: 'cut the context to contextMaxTokens instead of failing' },
    temperature: removedSampling,
    top_p: removedSampling,
    top_k: removedSampling,
    topP: removedSampling,
    topK: removedSampling,
  },
};

/** `anthropic:` in weft.config.yaml, owned by this executor: merged into its ctx.options. */
export const anthropicSettingsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Settings of the llm executor.',
  properties: {
    baseURL: { type: 'string', description: 'API base URL (a proxy or a local fake).' },
    modelsFile: { type: 'string', description: 'Model table (ids, prices) replacing the shipped one.' },
  },
};
