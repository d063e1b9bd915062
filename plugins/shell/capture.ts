import { StringDecoder } from 'node:string_decoder';

/** Longest line sent to the live log; the captured output keeps the full text. */
const maxLogLine = 8192;

/** Collects one output stream: keeps the first `limit` bytes, counts the rest, logs each line. */
export type Capture = {
  write(chunk: Buffer): void;
  /** The kept text, with `…[truncated N bytes]` appended when bytes were dropped. */
  finish(): string;
  readonly truncated: boolean;
};

/**
 * Bounded capture with line streaming: memory stays under `limit` however much a command prints.
 * @example const out = createCapture(1 << 20, (line) => ctx.log('stdout', line)); child.stdout.on('data', out.write);
 */
export function createCapture(limit: number, onLine: (line: string) => void): Capture {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const decoder = new StringDecoder('utf8');
  let partial = '';

  const emit = (text: string) => {
    partial += text;
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      onLine(clip(partial.slice(0, newline).replace(/\r$/, '')));
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
    }
    // A line that never ends must not grow without bound either.
    if (partial.length > maxLogLine) {
      onLine(clip(partial));
      partial = '';
    }
  };

  return {
    get truncated() {
      return dropped > 0;
    },
    write(chunk: Buffer) {
      const room = limit - kept;
      if (room >= chunk.length) {
        chunks.push(chunk);
        kept += chunk.length;
      } else {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.max(room, 0);
        dropped += chunk.length - Math.max(room, 0);
      }
      emit(decoder.write(chunk));
    },
    finish() {
      emit(decoder.end());
      if (partial) onLine(clip(partial));
      partial = '';
      // Cut at a byte limit may split a character; the decoder replaces the stray tail.
      const text = Buffer.concat(chunks, kept).toString('utf8');
      return dropped > 0 ? `${text}…[truncated ${dropped} bytes]` : text;
    },
  };
}

function clip(line: string): string {
  return line.length > maxLogLine ? `${line.slice(0, maxLogLine)}…` : line;
}
