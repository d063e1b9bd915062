// Problems with positions: every check reports through one of these, by path into the document.
import type { WeftErrorCode } from '../../errors.js';
import type { Problem } from '../../types.js';
import type { ParsedYaml, PathSegment } from '../yaml.js';

export type ReportOptions = {
  /** Point at the key of the last path segment rather than its value. */
  target?: 'key' | 'value';
  taskId?: string;
};

/** Collects problems for one file; duplicates (same code, place and message) are kept once. */
export type Reporter = {
  readonly problems: Problem[];
  add(code: WeftErrorCode, path: readonly PathSegment[], message: string, options?: ReportOptions): void;
};

export function createReporter(parsed: Pick<ParsedYaml, 'file' | 'positionOf'>): Reporter {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  return {
    problems,
    add(code, path, message, options = {}) {
      const { line, col } = parsed.positionOf(path, options.target);
      const key = `${code}:${line}:${col}:${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      const problem: Problem = { file: parsed.file, line, col, code, message };
      const taskId = options.taskId ?? (path[0] === 'tasks' && path.length > 1 ? String(path[1]) : undefined);
      if (taskId !== undefined) problem.taskId = taskId;
      problems.push(problem);
    },
  };
}

/**
 * A path as users read it.
 * @example label(['tasks', 'build', 'needs', 0]) // 'tasks.build.needs[0]'
 */
export function label(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `tasks.build: ` before a message, or nothing at the top of the document. */
export function prefix(path: readonly PathSegment[]): string {
  return path.length === 0 ? '' : `${label(path)}: `;
}

/** Sort problems by position, so output reads top to bottom. */
export function byPosition(a: Problem, b: Problem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}
