#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake
// streams. It loads the build's bundle of that library (scripts/bundle-cli.mjs): a few files
// instead of ~140 modules, which is most of a command's start-up.
import { cli, writeUntilClosed } from '../dist/bundle/index.js';

process.exitCode = await cli(process.argv.slice(2), {
  stdout: writeUntilClosed(process.stdout),
  stderr: writeUntilClosed(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
