// What `weft worker` and `weft workers` share: the project of the current folder and its queue.
import { WeftError } from '../../errors.js';
import { loadConfig } from '../../load/config.js';
import type { WeftConfig } from '../../types.js';
import { stringFlag, type FlagValues } from '../args.js';

/**
 * The project's config (problems are exit 2) and the queue URL: --queue, else `queue:` in
 * weft.config.yaml; neither is a USAGE error.
 * @example const { config, url } = await queueProject(values, cwd, 'worker')
 */
export async function queueProject(values: FlagValues, cwd: string, command: string): Promise<{ config: WeftConfig; url: string }> {
  const { config, problems } = await loadConfig(cwd);
  if (problems.length) throw new WeftError('CONFIG_INVALID', problems[0]!.message, { problems });
  const url = stringFlag(values, 'queue') ?? config.queue;
  if (!url) throw new WeftError('USAGE', `weft ${command} needs --queue redis://HOST:PORT (or queue: in weft.config.yaml)`);
  return { config, url };
}
