import type { OutputStream } from './io.js';

/** The parts of a process stream the CLI needs; `process.stdout` fits. */
export interface ProcessOutput {
  write(chunk: string): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  readonly columns?: number | undefined;
}

/**
 * `stream` as an OutputStream that stops writing once its reader has gone (EPIPE: `weft run x |
 * head -1`). A closed stdout is not a reason to end a run: the tasks go on, the record is saved
 * and weft exits with the run's own code; only the printing stops. Other stream errors still throw.
 * @example cli(argv, { stdout: writeUntilClosed(process.stdout), … })
 */
export function writeUntilClosed(stream: ProcessOutput): OutputStream {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (chunk: string) => (closed ? false : stream.write(chunk)),
    get columns() {
      return stream.columns;
    },
  };
}
