#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake
// streams. A command that reads pipelines runs from the build's one-file bundle of that library,
// with its V8 code cache (scripts/bundle-cli.mjs): loading and compiling ~190 modules was most
// of its start-up. Help and `completion` need a dozen modules, which load faster than the whole
// bundle; `--version` loads nothing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const [first] = argv;

async function library() {
  if (first === undefined || ['--help', '-h', 'help', 'completion'].includes(first)) return import('../dist/engine/cli/index.js');
  const { requireWithCodeCache } = await import('../dist/engine/code-cache.js');
  return requireWithCodeCache(fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url))).exports;
}

if (argv.length === 1 && (first === '--version' || first === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { cli, writeUntilClosed } = await library();
  process.exitCode = await cli(argv, {
    stdout: writeUntilClosed(process.stdout),
    stderr: writeUntilClosed(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  });
}
