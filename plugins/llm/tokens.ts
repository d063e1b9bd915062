import type Anthropic from '@anthropic-ai/sdk';
import { abortError } from './errors.js';
import { estimateTokens, type TokenCounter } from './context.js';

/**
 * A counter backed by the count-tokens endpoint, falling back to the chars/4 estimate when
 * the endpoint cannot answer (offline, not offered by a proxy). An abort still stops it.
 * @example await fitContext(blocks, limit, truncate, countTokensWith(client, model, ctx.signal))
 */
export function countTokensWith(client: Anthropic, model: string, signal: AbortSignal): TokenCounter {
  return async (text) => {
    try {
      const counted = await client.messages.countTokens({ model, messages: [{ role: 'user', content: text }] }, { signal });
      return counted.input_tokens;
    } catch {
      if (signal.aborted) throw abortError(signal);
      return estimateTokens(text);
    }
  };
}
