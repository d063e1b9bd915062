// npm runs `prepare` after `npm install` in a checkout, before `npm pack`, and in the folder of
// `npm install /path/to/weft`. In that last case npm installs nothing into the folder, so a
// checkout that was never installed has neither the compiler nor weft's own dependencies: install
// them first, as npm itself does for a git dependency, then build dist/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// The install below runs this script again: that inner run only installs, the outer one builds.
if (process.env.WEFT_PREPARE_INSTALLING) process.exit(0);
if (!existsSync(path.join(root, 'node_modules', 'typescript', 'package.json'))) {
  const npm = process.env.npm_execpath;
  if (!npm) {
    console.error('weft: typescript is not installed here: run npm install in this folder first');
    process.exit(1);
  }
  console.error('weft: installing the dependencies of this checkout to build it');
  process.env.WEFT_PREPARE_INSTALLING = '1';
  const install = [npm, 'install', '--no-save', '--no-audit', '--no-fund', '--include=dev'];
  // Tests of this path skip the dependencies' own build scripts: compiling better-sqlite3 from
  // source takes minutes, and what they check (a working weft from an unbuilt checkout) needs it not.
  if (process.env.WEFT_PREPARE_IGNORE_SCRIPTS === '1') install.push('--ignore-scripts');
  run(install);
  delete process.env.WEFT_PREPARE_INSTALLING;
}
// The package's own build (tsc, the generated validators, the schemas, the native spawn helper,
// the CLI bundle), with node_modules/.bin on PATH.
if (process.env.npm_execpath) run([process.env.npm_execpath, 'run', 'build']);
else {
  run([createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
  for (const step of ['dist/engine/load/validate/generate-validators.js', 'scripts/schemas.mjs', 'scripts/spawn-helper.mjs', 'scripts/bundle-cli.mjs']) run([step]);
}
