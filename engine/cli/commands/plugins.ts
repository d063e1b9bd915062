import { WeftError } from '../../errors.js';
import { loadProject } from '../../load/project.js';
import { builtinHelpers } from '../../handlebars/helpers.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

type Row = { name: string; source: string; description?: string };

export const plugins: Command = {
  name: 'plugins',
  summary: 'the executors and template helpers a run has, and where each comes from',
  usage: `Usage: weft plugins [--json]

Lists the executors (what uses: names) and the template helpers, built-in and from the
plugins in weft.config.yaml (plugins: paths or package names), with where each comes from.
--json prints { executors: [{ name, source, description, schema }], helpers: [{ name, source }] }.
A plugin that fails to load, or a name that two plugins (or a plugin and weft) both define,
is an error (exit 2).`,
  flags: { json: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, print }) {
    if (positionals.length > 0) throw new WeftError('USAGE', 'weft plugins takes no arguments');
    // Loading the project builds its template engine, which refuses a plugin helper named like a built-in one.
    const { project, problems } = await loadProject(cwd);
    if (!project) throw new WeftError(problems[0]!.code, problems[0]!.message, { problems });
    const { registry } = project;

    const executors = [...registry.executors.values()].map((e) => ({
      name: e.name,
      source: e.source,
      description: e.executor.description ?? '',
      schema: e.executor.schema,
    }));
    const helpers: Row[] = [
      ...Object.keys(builtinHelpers).map((name) => ({ name, source: 'built-in' })),
      ...[...registry.helpers].map(([name, h]) => ({ name, source: h.source })),
    ];
    if (values.json) {
      print.out(JSON.stringify({ executors, helpers }, null, 2));
      return EXIT.ok;
    }
    print.out('executors:');
    for (const line of table(executors)) print.out(line);
    print.out('helpers:');
    for (const line of table(helpers)) print.out(line);
    return EXIT.ok;
  },
};

function table(rows: Row[]): string[] {
  const name = Math.max(0, ...rows.map((r) => r.name.length));
  const source = Math.max(0, ...rows.map((r) => r.source.length));
  return rows.map((r) => `  ${r.name.padEnd(name)}  ${r.description ? `${r.source.padEnd(source)}  ${r.description}` : r.source}`);
}
