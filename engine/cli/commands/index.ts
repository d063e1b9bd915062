import type { Command } from '../command.js';

/**
 * A command as the top-level help lists it; its module (and what that imports: the loader,
 * ajv, Piscina) is imported only when the command runs, so `weft --version` and `weft --help`
 * load none of it. test/cli/commands-table.test.ts keeps names and summaries equal to the modules'.
 */
export type CommandEntry = { name: string; summary: string; load(): Promise<Command> };

/** Every `weft` command, in the order the help lists them. */
export const commands: CommandEntry[] = [
  { name: 'run', summary: 'run a pipeline, or some of its tasks and what they need', load: () => import('./run.js').then((m) => m.run) },
  { name: 'runs', summary: 'the kept runs, newest first; show one, or write its HTML report', load: () => import('./runs.js').then((m) => m.runs) },
  { name: 'validate', summary: 'check pipelines; prints nothing but a count when all are valid', load: () => import('./validate.js').then((m) => m.validate) },
  {
    name: 'plan',
    summary: "show the batches, the critical path, each llm task's model and the worst-case cost",
    load: () => import('./plan.js').then((m) => m.plan),
  },
  { name: 'graph', summary: 'the task graph as Mermaid or DOT text', load: () => import('./graph.js').then((m) => m.graph) },
  { name: 'list', summary: "the pipelines found, or a pipeline's tasks, with descriptions", load: () => import('./list.js').then((m) => m.list) },
  { name: 'plugins', summary: 'the executors and template helpers a run has, and where each comes from', load: () => import('./plugins.js').then((m) => m.plugins) },
  { name: 'init', summary: 'write weft.config.yaml and a starter pipeline into the current folder', load: () => import('./init.js').then((m) => m.init) },
  { name: 'worker', summary: 'run attempts that `weft run --queue` sends, until stopped', load: () => import('./worker.js').then((m) => m.worker) },
  { name: 'workers', summary: 'the live `weft worker` processes of this project', load: () => import('./workers.js').then((m) => m.workers) },
  { name: 'completion', summary: 'a shell completion script: weft completion bash|zsh|fish', load: () => import('./completion.js').then((m) => m.completion) },
];
