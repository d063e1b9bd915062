// What the CLI may touch of the outside world. bin/weft.js passes the real process; tests pass
// fake streams, so every command is testable without spawning.

/** A stream the CLI writes text to. `process.stdout` fits, and so does `{ write(s) { buf += s } }`. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** Terminal width, when the stream is a terminal. */
  columns?: number | undefined;
}

export type TerminationSignal = 'SIGINT' | 'SIGTERM';

/** The CLI's whole view of its process. */
export type CliIo = {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is a terminal: enables the live view unless NO_COLOR is set. */
  isTTY?: boolean;
  /**
   * Subscribe to termination signals; returns an unsubscribe function.
   * Default: the process's own SIGINT and SIGTERM (see signals.ts).
   */
  onSignal?: (listener: (signal: TerminationSignal) => void) => () => void;
};

/** Writes whole lines; the commands never deal with `\n` themselves. */
export type Printer = { out(line?: string): void; err(line?: string): void };

export function createPrinter(io: CliIo): Printer {
  return {
    out: (line = '') => void io.stdout.write(`${line}\n`),
    err: (line = '') => void io.stderr.write(`${line}\n`),
  };
}
