// One llm task attempt against the Messages API: ask, and for json output re-ask within the
// same attempt (telling the model what was wrong) until the answer is usable.
import type Anthropic from '@anthropic-ai/sdk';
import { WeftError, isWeftError } from '../../engine/plugin.js';
import { addUsage, noUsage, usageFromApi, type LlmUsage } from './cost.js';
import { toLlmError } from './errors.js';
import { rateLimitHeadroom } from './headroom.js';
import { followUp, judgeAnswer } from './output.js';
import type { LlmWith } from './schema.js';
export { defaultOutputAttempts } from './settings.js';

/** A usable answer, before pricing. `usage` sums every request of the attempt. */
export type Answer = {
  text: string;
  json?: unknown;
  model: string;
  stopReason: string | null;
  usage: LlmUsage;
  rateLimitRemaining?: number;
};


/**
 * Ask until the answer passes `judgeAnswer`, at most `attempts` requests; then OUTPUT_INVALID
 * (not retryable: the same prompt would likely fail the same way).
 * @example const answer = await askModel(client, params, w, ctx.signal, 3);
 */
export async function askModel(
  client: Anthropic,
  params: Anthropic.MessageCreateParamsNonStreaming,
  w: LlmWith,
  signal: AbortSignal,
  attempts: number,
): Promise<Answer> {
  let messages = params.messages;
  let usage = noUsage;
  let headroom: number | undefined;
  for (let attempt = 1; ; attempt++) {
    let message: Anthropic.Message;
    try {
      const { data, response } = await client.messages.create({ ...params, messages }, { signal }).withResponse();
      message = checkMessage(data, response);
      headroom = rateLimitHeadroom(response.headers) ?? headroom;
    } catch (error) {
      if (isWeftError(error)) throw error;
      throw toLlmError(error, signal);
    }
    usage = addUsage(usage, usageFromApi(message.usage));
    const text = textOf(message);
    const verdict = judgeAnswer(text, message.stop_reason, w);
    if (verdict.ok) {
      return {
        text,
        ...(verdict.json === undefined ? {} : { json: verdict.json }),
        model: message.model,
        stopReason: message.stop_reason,
        usage,
        ...(headroom === undefined ? {} : { rateLimitRemaining: headroom }),
      };
    }
    if (attempt >= attempts) {
      throw new WeftError('OUTPUT_INVALID', `no usable JSON after ${attempts} request(s): ${verdict.problem}`);
    }
    messages = [
      ...messages,
      { role: 'assistant', content: text.trim() || '(empty answer)' },
      { role: 'user', content: followUp(verdict.problem) },
    ];
  }
}

/**
 * `data` when it is a Messages API answer. A proxy or a wrong baseURL can answer 200 with an
 * HTML or text page, which the SDK hands back as a string: say that, not "Cannot read properties
 * of undefined (reading 'input_tokens')".
 */
function checkMessage(data: unknown, response: Response): Anthropic.Message {
  const m = data as Partial<Anthropic.Message> | null;
  if (m && typeof m === 'object' && Array.isArray(m.content) && m.usage && typeof m.usage === 'object') return m as Anthropic.Message;
  const type = response.headers.get('content-type') ?? 'no content-type';
  throw new WeftError('OUTPUT_INVALID', `the API answered ${response.status} with ${type}, not a Messages API answer (is anthropic.baseURL right?)`);
}

/** The text blocks of a message, joined. */
export function textOf(message: { content: Array<{ type: string; text?: string }> }): string {
  return message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
}
