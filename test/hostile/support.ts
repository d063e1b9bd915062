// Shared by the hostile-input probes: one file per theme, each probe a real CLI run or runPipeline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeProject, spawnBin, runCli, stackLines, repoRoot, binPath } from '../cli/support.js';
import { processGone } from '../plugins/process-gone.js';

export { makeProject, spawnBin, runCli, stackLines, repoRoot, binPath };
export { makeTempDir, runYaml, loadValid } from '../support/project.js';
export { waitFor } from '../plugins/contract.js';

/** Kill the process whose pid a probe wrote to `file` (a background child it left on purpose). */
export function killPidFile(dir: string, file: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, file), 'utf8').trim());
  } catch {
    return;
  }
  // Only if it is still the probe's `sleep`: a pid that died earlier may since name another
  // process (pids wrap around on a busy machine), a test runner's worker even.
  if (pid > 0 && !processGone(pid) && commandOf(pid).startsWith('sleep')) process.kill(pid, 'SIGKILL');
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
