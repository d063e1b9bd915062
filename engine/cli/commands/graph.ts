import { WeftError } from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';
import { graphFormats, renderDot, renderMermaid, type GraphFormat } from '../render-graph.js';
import { selectTargets } from '../../plan/select.js';
import { requirePipelineAndTargets } from './require-one.js';

export const graph: Command = {
  name: 'graph',
  summary: 'the task graph as Mermaid or DOT text',
  usage: `Usage: weft graph <pipeline> [TASK...] [--format mermaid|dot] [--dir DIR]

Prints the task graph (an edge per need) for a diagram tool. Default format: mermaid.
With TASKs (or the pipeline's default: targets), only those tasks and what they need.
  weft graph hello --format dot | dot -Tsvg > hello.svg`,
  flags: { format: { type: 'string', short: 'f' } },
  async run({ values, positionals }, { cwd, dir, print }) {
    const format = (values.format ?? 'mermaid') as GraphFormat;
    if (!graphFormats.includes(format)) {
      throw new WeftError('USAGE', `--format must be one of ${graphFormats.join(', ')}, got "${String(values.format)}"`);
    }
    const named = requirePipelineAndTargets(positionals, 'graph');
    const pipeline = selectTargets((await loadOrThrow(named.pipeline, { cwd, dir })).pipeline, named.targets);
    print.out(format === 'dot' ? renderDot(pipeline) : renderMermaid(pipeline));
    return EXIT.ok;
  },
};
