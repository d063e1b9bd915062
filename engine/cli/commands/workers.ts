import { WeftError } from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { queueProject } from './queue-project.js';

export const workers: Command = {
  name: 'workers',
  summary: 'the live `weft worker` processes of this project',
  usage: `Usage: weft workers --queue URL [--json]

Lists the workers serving this project's queue whose heartbeat is current: id, host, pid,
tags, attempts running and done. --json prints them as an array.`,
  flags: { queue: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, print }) {
    if (positionals.length) throw new WeftError('USAGE', 'weft workers takes no pipeline');
    const { config, url } = await queueProject(values, cwd, 'workers');
    const { connectRedis } = await import('../../pool/queue-connection.js');
    const { listWorkers } = await import('../../pool/queue-registry.js');
    const { projectPrefix } = await import('../../pool/queue-protocol.js');
    const redis = await connectRedis(url);
    try {
      const live = await listWorkers(redis, projectPrefix(config.root, config.file));
      if (values.json) {
        print.out(JSON.stringify(live, null, 2));
        return EXIT.ok;
      }
      if (!live.length) {
        print.out('no live workers (start one with "weft worker --queue URL")');
        return EXIT.ok;
      }
      const rows = [['ID', 'HOST', 'PID', 'TAGS', 'RUNNING', 'DONE'], ...live.map((w) => [w.id, w.host, String(w.pid), w.tags.join(',') || '-', `${w.running}/${w.concurrency}`, String(w.done)])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const row of rows) print.out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
      return EXIT.ok;
    } finally {
      redis.disconnect();
    }
  },
};
