// Narrowing for checks that run on data the schema may already have rejected.

export type RawTask = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The tasks that are maps, by id; anything else the schema has reported already. */
export function rawTasks(doc: Record<string, unknown>): Record<string, RawTask> {
  const tasks: Record<string, RawTask> = {};
  if (!isRecord(doc.tasks)) return tasks;
  for (const [id, task] of Object.entries(doc.tasks)) if (isRecord(task)) tasks[id] = task;
  return tasks;
}

/** A task's needs when they are a list of strings, else none. */
export function needsOf(task: RawTask): string[] {
  return Array.isArray(task.needs) ? task.needs.filter((n): n is string => typeof n === 'string') : [];
}

export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
