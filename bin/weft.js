#!/usr/bin/env node
// The process-facing shell: everything else lives in the library (engine/cli), tested with fake
// streams. A command that reads pipelines runs from the build's one-file bundle of that library,
// with its V8 code cache (scripts/bundle-cli.mjs): loading and compiling ~190 modules was most
// of its start-up. Help and `completion` need a dozen modules, which load faster than the whole
// bundle; `--version` loads nothing.
// CommonJS (bin/package.json): as an ES module, this file made Node start its ES module loader
// for every command, 12 ms of `weft --version` and 17 ms of `weft validate` here.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);
const [first] = argv;

function library() {
  if (first === undefined || ['--help', '-h', 'help', 'completion'].includes(first)) return import('../dist/engine/cli/index.js');
  const { requireWithCodeCache } = require('../dist/bundle/code-cache.cjs');
  return requireWithCodeCache(path.join(__dirname, '../dist/bundle/cli.cjs')).exports;
}

async function main() {
  if (argv.length === 1 && (first === '--version' || first === '-v')) {
    process.stdout.write(`${JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')).version}\n`);
    return;
  }
  const { cli, writeUntilClosed } = await library();
  process.exitCode = await cli(argv, {
    stdout: writeUntilClosed(process.stdout),
    stderr: writeUntilClosed(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  });
}

main();
