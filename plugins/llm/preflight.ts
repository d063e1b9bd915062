// Before any task starts: is every llm task runnable? A model it can price, and an API key
// unless its answer is already in the cache (then the run needs no key at all).
import type { WeftErrorCode } from '../../engine/plugin.js';
import { holdsTemplate, isWeftError } from '../../engine/plugin.js';
import { cacheDirOf, hasCached, wasAnswered } from './cache.js';
import type { ModelTable } from './models.js';
import { prepareCall } from './prompt.js';
import type { LlmWith } from './schema.js';
import { modelsFor } from './settings.js';

type PreflightTask = { id: string; with: Record<string, unknown>; model?: string };
type PreflightProblem = { id?: string; code: WeftErrorCode; message: string };

/**
 * Problems that make the run impossible. `options.root` is the project root (default: cwd),
 * used for the cache folder, the models file and context files.
 * @example await preflightLlm(tasks, process.env, { root: '/project' })
 */
export async function preflightLlm(
  tasks: PreflightTask[],
  env: Record<string, string | undefined>,
  options: Record<string, unknown>,
): Promise<PreflightProblem[]> {
  const root = typeof options.root === 'string' ? options.root : process.cwd();
  const problems: PreflightProblem[] = [];
  let models: ModelTable | undefined;
  try {
    models = modelsFor(options, root);
  } catch (error) {
    problems.push({ code: isWeftError(error) ? error.code : 'CONFIG_INVALID', message: (error as Error).message });
  }
  for (const task of tasks) {
    if (!task.model) {
      problems.push({ id: task.id, code: 'UNKNOWN_MODEL', message: `llm task ${task.id} has no model: set models.default or a task model` });
    } else if (models && !models.models[task.model]) {
      problems.push({ id: task.id, code: 'UNKNOWN_MODEL', message: `llm task ${task.id}: model "${task.model}" has no price entry; add it to anthropic.modelsFile` });
    }
  }
  if (!env.ANTHROPIC_API_KEY) {
    const needKey: string[] = [];
    for (const task of tasks) if (!(await isAnswered(task, root, options))) needKey.push(task.id);
    if (needKey.length > 0) {
      const named = needKey.length > 10 ? `${needKey.slice(0, 10).join(', ')} and ${needKey.length - 10} more` : needKey.join(', ');
      problems.push({
        code: 'MISSING_API_KEY',
        message: `ANTHROPIC_API_KEY is not set, and these llm tasks have no cached answer: ${named}`,
      });
    }
  }
  return problems;
}

// A task whose `with` is fully rendered (no `{{` left) is looked up by its key. The rest depend
// on items and outputs not known yet: they count as cached when an earlier run stored answers
// for them (a re-run of a fan-out needs no key); an answer still missing at run time then fails
// its task with MISSING_API_KEY.
async function isAnswered(task: PreflightTask, root: string, options: Record<string, unknown>): Promise<boolean> {
  const dir = cacheDirOf(root, options);
  if (!dir || !task.model) return false;
  if (holdsTemplate(task.with)) return wasAnswered(dir, task.id, task.model);
  try {
    const call = await prepareCall(task.with as LlmWith, task.model, root);
    return hasCached(dir, call.key);
  } catch {
    return false;
  }
}
