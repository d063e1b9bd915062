// Builds the native spawn helper (plugins/shell/spawn-helper.c) into dist/plugins/shell/weft-spawn
// (or <out>/plugins/shell/weft-spawn: `node scripts/spawn-helper.mjs dist-bench` for the bench's
// build) with the machine's C compiler ($CC, else cc). Without one the build goes on: shell tasks are
// then spawned by Node helper processes, which cost ~2.5x as much per process on a VM.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'plugins/shell/spawn-helper.c');
const target = path.join(root, process.argv[2] ?? 'dist', 'plugins/shell/weft-spawn');
const partial = `${target}.${process.pid}.tmp`;
const cc = process.env.CC || 'cc';

mkdirSync(path.dirname(target), { recursive: true });
const result = spawnSync(cc, ['-O2', '-std=c11', '-Wall', '-Wextra', '-o', partial, source], { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status === 0) renameSync(partial, target);
else {
  rmSync(partial, { force: true });
  // A helper from an earlier build would no longer match this source.
  rmSync(target, { force: true });
  const why = result.error ? `${cc} is not available (${result.error.code})` : `${cc} failed`;
  console.error(`weft: the native spawn helper was not built: ${why}. Shell tasks will spawn through Node helpers.`);
}
