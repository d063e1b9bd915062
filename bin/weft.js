#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake streams.
import { cli } from '../dist/engine/cli/index.js';
import { writeUntilClosed } from '../dist/engine/cli/closable-output.js';

process.exitCode = await cli(process.argv.slice(2), {
  stdout: writeUntilClosed(process.stdout),
  stderr: writeUntilClosed(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
