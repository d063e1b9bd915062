// Validation: the JSON Schema, then the checks a schema cannot express. Every problem at once, as data.
import type { Registry } from './registry.js';
import type { Problem, WeftConfig } from '../types.js';
import type { ParsedYaml } from './yaml.js';
import { checkExecutors } from './validate/executors.js';
import { checkInputs } from './validate/inputs.js';
import { checkModels, checkPools } from './validate/names.js';
import { checkNeeds } from './validate/needs.js';
import { checkNumbers } from './validate/numbers.js';
import { checkLoops } from './validate/loops.js';
import { byPosition, createReporter } from './validate/report.js';
import { pipelineSchemaValidator, reportSchemaErrors } from './validate/schema.js';
import { isRecord, rawTasks } from './validate/shape.js';
import { engineFor } from './project.js';
import { checkTargets } from './validate/targets.js';
import { checkTemplates } from './validate/templates.js';
import type { TemplateEngine } from '../handlebars/render.js';

export type ValidateContext = {
  /** Executors (their `with` schemas) and helpers a run would have. */
  registry: Registry;
  /** Pools and model aliases declared in weft.config.yaml count as declared. */
  config: WeftConfig;
  /** Reuse an engine across files; one is made from the registry otherwise. */
  engine?: TemplateEngine;
};

/**
 * Every problem of a parsed pipeline file, sorted by position; empty when it is valid.
 * Never throws for the user's mistakes.
 * @example
 * const parsed = parseYaml(text, 'pipelines/build.yaml');
 * const problems = validatePipeline(parsed, { registry, config });
 * for (const p of problems) console.error(formatProblem(p));
 */
export function validatePipeline(parsed: ParsedYaml, context: ValidateContext): Problem[] {
  if (parsed.value === undefined || parsed.problems.length > 0) return [...parsed.problems].sort(byPosition);
  const reporter = createReporter(parsed);
  const validate = pipelineSchemaValidator();
  if (!validate(parsed.value)) reportSchemaErrors(validate.errors ?? [], reporter, { root: parsed.value, base: [] });
  const doc = parsed.value;
  if (!isRecord(doc)) return reporter.problems.sort(byPosition);

  checkNumbers(doc, reporter);
  const tasks = rawTasks(doc);
  checkNeeds(tasks, reporter);
  checkLoops(tasks, reporter);
  checkExecutors(tasks, context.registry, reporter);
  checkPools(doc, tasks, context.config, reporter);
  checkModels(doc, tasks, context.config, reporter);
  checkInputs(doc, reporter);
  checkTargets(doc, tasks, reporter);
  checkTemplates(doc, tasks, context.engine ?? engineFor(context.registry), reporter, context.registry);
  return reporter.problems.sort(byPosition);
}
