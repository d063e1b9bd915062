import { WeftError } from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { graphFormats, renderDot, renderMermaid, type GraphFormat } from '../render-graph.js';
import { requireOne } from './require-one.js';

export const graph: Command = {
  name: 'graph',
  summary: 'the task graph as Mermaid or DOT text',
  usage: `Usage: weft graph <pipeline> [--format mermaid|dot] [--dir DIR]

Prints the task graph (an edge per need) for a diagram tool. Default format: mermaid.
  weft graph hello --format dot | dot -Tsvg > hello.svg`,
  flags: { format: { type: 'string', short: 'f' } },
  async run({ values, positionals }, { cwd, dir, print }) {
    const format = (values.format ?? 'mermaid') as GraphFormat;
    if (!graphFormats.includes(format)) {
      throw new WeftError('USAGE', `--format must be one of ${graphFormats.join(', ')}, got "${String(values.format)}"`);
    }
    const { pipeline } = await loadOrThrow(requireOne(positionals, 'graph'), { cwd, dir });
    print.out(format === 'dot' ? renderDot(pipeline) : renderMermaid(pipeline));
    return EXIT.ok;
  },
};
