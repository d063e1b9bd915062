// From `with:` to a Messages API request, and to the cache key of its answer.
import type Anthropic from '@anthropic-ai/sdk';
import { cacheKey } from './cache.js';
import { composeUserText, readContext, type ContextBlock } from './context.js';
import { jsonInstruction } from './output.js';
import { defaultMaxTokens, type LlmWith } from './schema.js';

/** A call ready to send: its context read, its cache key computed. */
export type PreparedCall = { model: string; blocks: ContextBlock[]; key: string };

/**
 * Read the context and compute the cache key: sha256 over the model, system, shared block,
 * the full user message (context + prompt), maxTokens, stop sequences, output, schema and the
 * context limit, which together shape the answer.
 * @example const call = await prepareCall(w, 'claude-haiku-5-5', ctx.root);
 */
export async function prepareCall(w: LlmWith, model: string, root: string): Promise<PreparedCall> {
  const blocks = await readContext(w.context, root);
  const key = cacheKey({
    model,
    system: w.system,
    shared: w.shared,
    user: composeUserText(blocks, w.prompt),
    maxTokens: w.maxTokens ?? defaultMaxTokens,
    stopSequences: w.stopSequences,
    output: w.output ?? 'text',
    schema: w.schema,
    contextMaxTokens: w.contextMaxTokens,
    truncate: w.contextMaxTokens === undefined ? undefined : (w.truncate ?? false),
  });
  return { model, blocks, key };
}

/**
 * The request body. Never carries temperature/top_p/top_k (API 2026-10-21 rejects them).
 * The shared block goes first and is marked `cache_control: ephemeral`, so a fan-out pays for
 * it once and reads it from the prompt cache after.
 * @example client.messages.create(buildParams(w, model, blocks), { signal })
 */
export function buildParams(w: LlmWith, model: string, blocks: ContextBlock[]): Anthropic.MessageCreateParamsNonStreaming {
  const system: Anthropic.TextBlockParam[] = [];
  if (w.shared) system.push({ type: 'text', text: w.shared, cache_control: { type: 'ephemeral' } });
  if (w.system) system.push({ type: 'text', text: w.system });
  if (w.output === 'json') system.push({ type: 'text', text: jsonInstruction(w.schema) });
  return {
    model,
    max_tokens: w.maxTokens ?? defaultMaxTokens,
    ...(system.length ? { system } : {}),
    ...(w.stopSequences?.length ? { stop_sequences: w.stopSequences } : {}),
    messages: [{ role: 'user', content: composeUserText(blocks, w.prompt) }],
  };
}
