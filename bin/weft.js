#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake streams.
import { cli } from '../dist/engine/cli/index.js';

process.exitCode = await cli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
