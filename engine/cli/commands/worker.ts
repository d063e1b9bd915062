import os from 'node:os';
import { parseDuration } from '../../duration.js';
import { WeftError } from '../../errors.js';
import { loadRegistry } from '../../load/registry.js';
import { positiveIntFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { TerminationSignal } from '../io.js';
import { onProcessSignal } from '../signals.js';
import { queueProject } from './queue-project.js';

export const worker: Command = {
  name: 'worker',
  summary: 'run attempts that `weft run --queue` sends, until stopped',
  usage: `Usage: weft worker --queue URL [options]

Takes the attempts \`weft run --queue URL\` sends for the project in this folder (its
weft.config.yaml, plugins and files: the checkout must sit at the same path as the
coordinator's) and runs them on this machine. Secrets and API keys come from this
process's environment. On SIGTERM or Ctrl-C it takes nothing new, lets the running
attempts finish, and exits 0.

Options:
  --queue URL          redis://HOST:PORT (default: \`queue:\` in weft.config.yaml)
  --concurrency N      attempts running at once (default: 2 x CPUs)
  --tags a,b           tags this worker offers; a task with \`runsOn:\` runs only on
                       workers that have every tag it names
  --stall-timeout D    a worker silent this long is taken for dead and its attempts
                       run again on another worker (default 10s)`,
  flags: {
    queue: { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
    tags: { type: 'string' },
    'stall-timeout': { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length) throw new WeftError('USAGE', 'weft worker takes no pipeline: the coordinator sends the attempts');
    const { config, url } = await queueProject(values, ctx.cwd, 'worker');
    const { parseTags } = await import('../../pool/queue-protocol.js');
    const tags = parseTags(stringFlag(values, 'tags'));
    const stall = stringFlag(values, 'stall-timeout');
    const stallTimeoutMs = stall === undefined ? 10_000 : parseDuration(stall);
    if (stallTimeoutMs < 500) throw new WeftError('USAGE', '--stall-timeout must be at least 500ms');
    const registry = await loadRegistry(config.plugins, config.root);
    const { startQueueWorker } = await import('../../pool/queue-worker.js');
    const running = await startQueueWorker({
      url,
      root: config.root,
      configFile: config.file,
      registry,
      concurrency: positiveIntFlag(values, 'concurrency') ?? 2 * os.availableParallelism(),
      tags,
      stallTimeoutMs,
      ...(config.workers === undefined ? {} : { threads: config.workers }),
      env: ctx.io.env,
    });
    const { info } = running;
    ctx.print.out(
      `weft worker ${info.id} ready: pid ${info.pid}, tags ${info.tags.join(',') || '(none)'}, concurrency ${info.concurrency}, project ${config.root}`,
    );
    const signal = await new Promise<TerminationSignal>((resolve) => (ctx.io.onSignal ?? onProcessSignal)(resolve));
    ctx.print.out(`weft worker: ${signal}, finishing ${info.running} running attempt(s), taking no new ones`);
    await running.close();
    ctx.print.out(`weft worker: stopped after ${info.done} attempt(s)`);
    return EXIT.ok;
  },
};
