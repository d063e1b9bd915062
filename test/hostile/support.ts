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
  if (pid > 0 && !processGone(pid)) process.kill(pid, 'SIGKILL');
}
