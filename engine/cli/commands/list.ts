import { WeftError } from '../../errors.js';
import { listPipelines } from '../../load/load.js';
import type { Pipeline } from '../../types.js';
import type { Command } from '../command.js';
import { displayPath } from '../display-path.js';
import { EXIT } from '../exit-codes.js';
import { loadOrThrow } from '../load.js';

export const list: Command = {
  name: 'list',
  summary: 'the pipelines found, or a pipeline\'s tasks, with descriptions',
  usage: `Usage: weft list [PIPELINE] [--json] [--dir DIR]

Without PIPELINE: the pipelines in the pipelines folder (pipelinesDir in weft.config.yaml,
default ./pipelines); --json prints [{ name, file, description }].
With PIPELINE: the tasks you can name as targets (weft run PIPELINE TASK...), with their
descriptions; tasks marked internal: true are left out, default: targets are marked with *.
--json prints [{ id, description, default }].`,
  flags: { json: { type: 'boolean' } },
  async run({ values, positionals }, { cwd, dir, print }) {
    if (positionals.length > 1) throw new WeftError('USAGE', `weft list takes at most one pipeline, got ${positionals.length}`);
    if (positionals.length === 1) {
      const rows = listTasks((await loadOrThrow(positionals[0]!, { cwd, dir })).pipeline);
      if (values.json) print.out(JSON.stringify(rows, null, 2));
      else for (const line of formatTasks(rows)) print.out(line);
      return EXIT.ok;
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

type TaskRow = { id: string; description?: string; default: boolean };

/** The tasks a user may name, in declaration order: internal helpers left out. */
export function listTasks(pipeline: Pipeline): TaskRow[] {
  const defaults = new Set(pipeline.targets ?? []);
  return Object.values(pipeline.tasks)
    .filter((t) => !t.internal)
    .map((t) => (t.description === undefined ? { id: t.id, default: defaults.has(t.id) } : { id: t.id, description: t.description, default: defaults.has(t.id) }));
}

/**
 * Like `task --list`: `* build   Build the app`.
 * @example formatTasks([{ id: 'build', description: 'Build the app', default: true }]) // ['* build  Build the app']
 */
export function formatTasks(rows: TaskRow[]): string[] {
  const width = Math.max(0, ...rows.map((r) => r.id.length));
  return rows.map((r) => `${r.default ? '*' : ' '} ${r.description ? `${r.id.padEnd(width)}  ${r.description}` : r.id}`);
}
