#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake streams.
import { cli } from '../dist/engine/cli/index.js';

// `weft list | head`: a reader that goes away early is not an error worth a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await cli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
