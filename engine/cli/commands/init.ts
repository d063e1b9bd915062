import { WeftError } from '../../errors.js';
import { defaultStarter, initProject, listStarters } from '../../init.js';
import { stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const init: Command = {
  name: 'init',
  summary: 'write weft.config.yaml and a starter pipeline into the current folder',
  usage: `Usage: weft init [--template NAME] [--force] [--list]

Writes weft.config.yaml and a starter pipeline (pipelines/NAME.yaml, and whatever else the
starter needs) into the current folder. Run it after with "weft run NAME".
  --template NAME  the starter (default: ${defaultStarter}); --list shows them all
  --force          overwrite files that exist (without it, nothing is written and exit is 2)
  --list           list the starters and write nothing`,
  flags: { template: { type: 'string', short: 't' }, force: { type: 'boolean' }, list: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, print }) {
    if (positionals.length > 0) throw new WeftError('USAGE', `weft init takes no arguments (use --template ${positionals[0]})`);
    if (values.list) {
      const starters = await listStarters();
      const width = Math.max(...starters.map((s) => s.name.length));
      for (const s of starters) print.out(`${s.name.padEnd(width)}  ${s.description}`);
      return EXIT.ok;
    }
    const result = await initProject({ cwd, template: stringFlag(values, 'template'), force: values.force === true });
    for (const file of result.written) print.out(`wrote ${file}`);
    for (const file of result.overwritten) print.out(`overwrote ${file}`);
    print.out(`\nNext: weft run ${result.starter}`);
    return EXIT.ok;
  },
};
