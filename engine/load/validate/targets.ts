// `default:` targets: each names a task, a template call, or a task inside a template call.
import { isTemplateUse } from '../pipeline-templates/reference.js';
import { didYouMean } from '../../suggest.js';
import { label, type Reporter } from './report.js';
import type { RawTask } from './shape.js';

/** UNKNOWN_NEED for a default target that names no task; PIPELINE_INVALID for an internal one. */
export function checkTargets(doc: Record<string, unknown>, tasks: Record<string, RawTask>, reporter: Reporter): void {
  if (!Array.isArray(doc.default)) return;
  const ids = Object.keys(tasks).filter((id) => tasks[id]!.internal !== true);
  doc.default.forEach((target, i) => {
    if (typeof target !== 'string') return;
    const path = ['default', i];
    const task = Object.hasOwn(tasks, target) ? tasks[target] : undefined;
    if (task?.internal === true) {
      reporter.add('PIPELINE_INVALID', path, `${label(path)}: task "${target}" is internal (a helper), not a target`);
      return;
    }
    if (task) return;
    // `audit.security`: a task of template call `audit`, known only once the template is expanded.
    const call = target.slice(0, target.indexOf('.'));
    const uses = target.includes('.') && Object.hasOwn(tasks, call) ? tasks[call]!.uses : undefined;
    if (typeof uses === 'string' && isTemplateUse(uses)) return;
    reporter.add('UNKNOWN_NEED', path, `${label(path)}: no task "${target}"${didYouMean(target, ids)}`);
  });
}
