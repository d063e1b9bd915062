import { WeftError } from '../../engine/plugin.js';

export type BodyText = { text: string; truncated: boolean };

/**
 * The response body as text, at most `maxBytes` of it: the rest is not downloaded (the stream is
 * cancelled, which closes the connection) and a marker says it was cut. A 2 GB answer costs
 * `maxBytes` of memory, not 4 GB.
 * @example const { text, truncated } = await readBody(response, 1 << 20);
 */
export async function readBody(response: Response, maxBytes: number): Promise<BodyText> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - kept;
    if (value.length > room) {
      if (room > 0) chunks.push(value.subarray(0, room));
      kept += Math.max(room, 0);
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    kept += value.length;
  }
  // Cut at a byte limit may split a character; the decoder replaces the stray tail.
  const text = Buffer.concat(chunks, kept).toString('utf8');
  if (!truncated) return { text, truncated };
  const length = Number(response.headers.get('content-length'));
  const marker = Number.isFinite(length) && length > kept ? `…[truncated ${length - kept} bytes]` : `…[truncated at ${maxBytes} bytes]`;
  return { text: text + marker, truncated };
}

/** Only http and https are fetched: a rendered `data:` or `file:` URL is refused, whatever the template. */
export function checkScheme(url: URL): void {
  if (url.protocol === 'http:' || url.protocol === 'https:') return;
  throw new WeftError('TASK_FAILED', `url must be http:// or https://, got a ${url.protocol} URL`, { retryable: false });
}
