import type { JsonSchema } from '../../engine/executor.js';

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
    system: { type: 'string' },
    shared: { type: 'string', description: 'a block shared by every instance of a fan-out, sent first with prompt caching' },
    maxTokens: { type: 'integer', minimum: 1, default: defaultMaxTokens },
    output: { enum: ['text', 'json'], default: 'text' },
    schema: { type: 'object', description: 'JSON Schema the json output must match' },
    stopSequences: { type: 'array', items: { type: 'string' } },
    context: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label'],
        additionalProperties: false,
        properties: {
          label: { type: 'string', minLength: 1 },
          value: { description: 'any rendered value; non-strings are sent as JSON' },
          files: {
            anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
            description: 'glob(s) under the project root, e.g. src/**/*.ts',
          },
        },
        oneOf: [{ required: ['value'] }, { required: ['files'] }],
      },
    },
    contextMaxTokens: { type: 'integer', minimum: 1 },
    truncate: { type: 'boolean', default: false },
    temperature: removedSampling,
    top_p: removedSampling,
    top_k: removedSampling,
    topP: removedSampling,
    topK: removedSampling,
  },
};
