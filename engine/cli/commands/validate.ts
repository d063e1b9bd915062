import { WeftError } from '../../errors.js';
import { listPipelines, loadPipeline, skippedPipelineFiles } from '../../load/load.js';
import type { Problem } from '../../types.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { withSuggestions } from '../load.js';

export const validate: Command = {
  name: 'validate',
  summary: 'check pipelines; prints nothing but a count when all are valid',
  usage: `Usage: weft validate [<pipeline>…] [--dir DIR]

Checks each pipeline (a name in the pipelines folder or a path to a file): YAML, schema,
task references, cycles, templates. With no pipeline, checks every one in the folder, and reports .yaml files there that
no name can run (such as Deploy.yaml).
Prints "N pipelines valid", or one line per problem (FILE:LINE:COL: message) and exits 2.`,
  flags: {},
  async run({ positionals }, { cwd, dir, print }) {
    const place = { cwd, dir };
    const names = positionals.length > 0 ? positionals : (await listPipelines(place)).map((p) => p.file);
    // The whole folder: a YAML file there that no name can run is a mistake to report, not to skip.
    const problems: Problem[] = positionals.length > 0 ? [] : await skippedPipelineFiles(place);
    if (names.length === 0 && problems.length === 0) throw new WeftError('PIPELINE_NOT_FOUND', 'no pipelines to validate');
    // One at a time: errors come out in the order the user named the files.
    for (const name of names) {
      problems.push(...(await withSuggestions(name, (await loadPipeline(name, place)).problems, place)));
    }
    if (problems.length > 0) throw new WeftError(problems[0]!.code, problems[0]!.message, { problems });
    print.out(`${names.length} pipeline${names.length === 1 ? '' : 's'} valid`);
    return EXIT.ok;
  },
};
