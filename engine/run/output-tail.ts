import type { OutputTail } from '../types.js';

/** Bytes kept of each stream of each attempt: enough for a test runner's whole failure report. */
export const TAIL_BYTES = 64 * 1024;

export type TailBuffer = { push(line: string): void; finish(): OutputTail };

/**
 * The last `limit` bytes of a stream that arrives line by line, and a count of the bytes dropped
 * before them. Whole lines are dropped from the front; a single line longer than the limit keeps
 * its end.
 * @example const t = createTail(8); t.push('abc'); t.push('defghij'); t.finish() // { text: 'defghij\n', droppedBytes: 4 }
 */
export function createTail(limit = TAIL_BYTES): TailBuffer {
  const lines: string[] = [];
  const sizes: number[] = [];
  let head = 0;
  let bytes = 0;
  let dropped = 0;
  return {
    push(line) {
      const size = Buffer.byteLength(line) + 1;
      lines.push(line);
      sizes.push(size);
      bytes += size;
      while (bytes > limit && lines.length - head > 1) {
        bytes -= sizes[head]!;
        dropped += sizes[head]!;
        head++;
      }
      // Compact now and then, so a chatty task's dropped lines do not pile up.
      if (head > 1024 && head > lines.length / 2) {
        lines.splice(0, head);
        sizes.splice(0, head);
        head = 0;
      }
    },
    finish() {
      let text = lines.slice(head).map((l) => `${l}\n`).join('');
      if (bytes > limit) {
        const buf = Buffer.from(text);
        const cut = buf.length - limit;
        // Cut at a character boundary: skip UTF-8 continuation bytes.
        let at = cut;
        while (at < buf.length && (buf[at]! & 0xc0) === 0x80) at++;
        text = buf.subarray(at).toString();
        dropped += at;
      }
      return { text, droppedBytes: dropped };
    },
  };
}
