import Anthropic from '@anthropic-ai/sdk';
import { WeftError } from '../../engine/plugin.js';
import type { ExecutorContext } from '../../engine/plugin.js';

/** The SDK's own default; a task's `timeout` replaces it. */
export const defaultTimeoutMs = 10 * 60_000;

/**
 * The official SDK client for one task attempt. The key comes from the task's environment only
 * (never the SDK's credential chain); retries are weft's, so the SDK makes none.
 * @example const client = createClient(ctx); await client.messages.create(params, { signal: ctx.signal });
 */
export function createClient(ctx: Pick<ExecutorContext, 'env' | 'options' | 'timeoutMs' | 'taskId' | 'log'>): Anthropic {
  const apiKey = ctx.env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new WeftError('MISSING_API_KEY', `task ${ctx.taskId} needs the Anthropic API: set ANTHROPIC_API_KEY in the environment`);
  }
  const baseURL = stringOption(ctx.options.baseURL) ?? (ctx.env.ANTHROPIC_BASE_URL || undefined);
  const warn = (message: string) => ctx.log('stderr', `anthropic: ${message}`);
  return new Anthropic({
    apiKey,
    // null, not undefined: undefined would make the SDK read process.env behind the task's back.
    baseURL: baseURL ?? null,
    maxRetries: 0,
    timeout: ctx.timeoutMs ?? defaultTimeoutMs,
    // The SDK's warnings go to the task's log, not to the worker's console.
    logger: { error: warn, warn, info: () => {}, debug: () => {} },
    logLevel: 'warn',
  });
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
