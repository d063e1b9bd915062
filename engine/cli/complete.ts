// What `weft <TAB>` offers, computed by weft itself (`weft __complete WORDS…`), so the shell
// scripts of `weft completion` stay a few lines and never go stale: commands, flags, flag values,
// pipeline names, task names, input names for --var, run ids.
import { listStarters } from '../init.js';
import { listPipelines, loadPipeline } from '../load/load.js';
import { loadConfig } from '../load/config.js';
import { commonFlags, type FlagSpecs } from './args.js';
import { OUTPUT_MODES } from './choose-renderer.js';
import type { CommandEntry } from './commands/index.js';
import { readKeptRuns } from './kept-runs.js';
import { graphFormats } from './render-graph.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

type Place = { cwd: string; dir?: string | undefined };

/** Commands whose first positional is a pipeline. */
const PIPELINE_COMMANDS = new Set(['run', 'validate', 'plan', 'graph']);

/**
 * The candidates for the last of `words` (the arguments after `weft`; the last is the word being
 * typed, maybe empty), filtered by what is typed so far.
 * @example await completeWords(['r'], { cwd }, commands) // ['run', 'runs']
 */
export async function completeWords(words: string[], place: Place, commands: CommandEntry[]): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const visible = commands;
  const matching = (list: Iterable<string>) => [...new Set(list)].filter((c) => c.startsWith(current)).sort();
  if (before.length === 0) return matching(current.startsWith('-') ? ['--help', '--version'] : visible.map((c) => c.name));
  const entry = visible.find((c) => c.name === before[0]);
  if (!entry) return [];
  const command = await entry.load();
  const flags: FlagSpecs = { ...commonFlags, ...command.flags };
  const previous = before.at(-1)!;
  const valueOf = previous.startsWith('--') ? flags[previous.slice(2)] : undefined;
  if (valueOf?.type === 'string' && !valueOf.optionalValue) return matching(await flagValues(command.name, previous.slice(2), before, place));
  if (current.startsWith('-')) return matching(Object.keys(flags).map((f) => `--${f}`));
  const positionals = positionalsOf(before.slice(1), flags);
  return matching(await positionalValues(command.name, positionals, place, visible));
}

// Arguments that are neither flags nor the values of string flags.
function positionalsOf(args: string[], flags: FlagSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) out.push(arg);
    else if (!arg.includes('=') && flags[arg.slice(2)]?.type === 'string' && !flags[arg.slice(2)]?.optionalValue) i++;
  }
  return out;
}

async function flagValues(command: string, flag: string, before: string[], place: Place): Promise<string[]> {
  if (flag === 'output') return [...OUTPUT_MODES];
  if (flag === 'format') return graphFormats;
  if (flag === 'template' && command === 'init') return (await listStarters()).map((s) => s.name);
  if (flag === 'var') {
    const pipeline = before.slice(1).find((a) => !a.startsWith('-'));
    return pipeline ? (await inputNames(pipeline, place)).map((n) => `${n}=`) : [];
  }
  // --dir, --report, --concurrency: a path or a number, for the shell to complete.
  return [];
}

async function positionalValues(command: string, positionals: string[], place: Place, commands: CommandEntry[]): Promise<string[]> {
  if (command === 'help') return positionals.length === 0 ? commands.map((c) => c.name) : [];
  if (command === 'completion') return positionals.length === 0 ? [...SHELLS] : [];
  if (command === 'runs') return runsValues(positionals, place);
  if (!PIPELINE_COMMANDS.has(command)) return [];
  if (positionals.length === 0 || command === 'validate') return pipelineNames(place);
  // After the pipeline: its task names (for commands that take tasks).
  return command === 'run' ? taskNames(positionals[0]!, place) : [];
}

async function runsValues(positionals: string[], place: Place): Promise<string[]> {
  const root = (await loadConfig(place.cwd)).config.root;
  const kept = await readKeptRuns(root).catch(() => []);
  const [first] = positionals;
  if (first === undefined) return ['show', 'report', ...kept.map((r) => r.pipeline)];
  if ((first === 'show' || first === 'report') && positionals.length === 1) return kept.map((r) => r.report.runId);
  return [];
}

async function pipelineNames(place: Place): Promise<string[]> {
  return (await listPipelines(place).catch(() => [])).map((p) => p.name);
}

async function taskNames(pipeline: string, place: Place): Promise<string[]> {
  const { pipeline: loaded } = await loadPipeline(pipeline, place).catch(() => ({ pipeline: undefined }));
  return loaded ? Object.keys(loaded.tasks) : [];
}

async function inputNames(pipeline: string, place: Place): Promise<string[]> {
  const { pipeline: loaded } = await loadPipeline(pipeline, place).catch(() => ({ pipeline: undefined }));
  return loaded ? Object.keys(loaded.inputs) : [];
}
