import { WeftError } from '../../errors.js';
import { listPipelines } from '../../load/load.js';
import type { Command } from '../command.js';
import { displayPath } from '../display-path.js';
import { EXIT } from '../exit-codes.js';

export const list: Command = {
  name: 'list',
  summary: 'the pipelines found, by name, with descriptions',
  usage: `Usage: weft list [--json] [--dir DIR]

Lists the pipelines in the pipelines folder (pipelinesDir in weft.config.yaml, default
./pipelines). --json prints [{ name, file, description }].`,
  flags: { json: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, dir, print }) {
    if (positionals.length > 0) {
      throw new WeftError('USAGE', 'weft list takes no pipeline');
    }
    const found = (await listPipelines({ cwd, dir })).map((p) => ({ ...p, file: displayPath(p.file, cwd) }));
    if (values.json) {
      print.out(JSON.stringify(found, null, 2));
      return EXIT.ok;
    }
    const width = Math.max(0, ...found.map((p) => p.name.length));
    for (const p of found) print.out(p.description ? `${p.name.padEnd(width)}  ${p.description}` : p.name);
    return EXIT.ok;
  },
};
