#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake
// streams. It loads the build's bundle of that library (scripts/bundle-cli.mjs): a few files
// instead of ~190 modules, which is most of a command's start-up. `--version` loads nothing.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { cli, writeUntilClosed } = await import('../dist/bundle/index.js');
  process.exitCode = await cli(argv, {
    stdout: writeUntilClosed(process.stdout),
    stderr: writeUntilClosed(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  });
}
