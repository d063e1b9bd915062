import { WeftError } from '../../errors.js';

/** The single `<pipeline>` argument of a command, or a USAGE error. */
export function requireOne(positionals: string[], command: string): string {
  if (positionals.length === 1) return positionals[0]!;
  const problem = positionals.length === 0 ? 'needs a pipeline' : `takes one pipeline, got ${positionals.length}`;
  throw new WeftError('USAGE', `weft ${command} ${problem}`);
}

/** `<pipeline> [TASK...]`: the pipeline and the targets named after it, or a USAGE error. */
export function requirePipelineAndTargets(positionals: string[], command: string): { pipeline: string; targets: string[] } {
  const [pipeline, ...targets] = positionals;
  if (pipeline === undefined) throw new WeftError('USAGE', `weft ${command} needs a pipeline`);
  return { pipeline, targets };
}
