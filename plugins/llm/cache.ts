// The response cache: one JSON file per answer, keyed by a hash of everything that shapes it,
// so a re-run of an unchanged pipeline costs nothing and needs no API key.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createMasker } from '../../engine/plugin.js';

// Bumped when the stored shape or the key's parts change, so old entries are simply missed.
const cacheVersion = 1;

/**
 * The cache folder for a run, or undefined when `options.cache === false` turns it off.
 * Default `<root>/.weft/cache/llm`; `options.cacheDir` overrides (relative to root).
 * @example cacheDirOf('/project', {}) // '/project/.weft/cache/llm'
 */
export function cacheDirOf(root: string, options: Record<string, unknown>): string | undefined {
  if (options.cache === false) return undefined;
  const dir = typeof options.cacheDir === 'string' && options.cacheDir ? options.cacheDir : path.join('.weft', 'cache', 'llm');
  return path.resolve(root, dir);
}

/**
 * sha256 of the canonical JSON (sorted keys, undefined dropped) of the parts, so key order
 * and absent options never split the cache.
 * @example cacheKey({ model: 'claude-haiku-5-5', prompt: 'hi' }) === cacheKey({ prompt: 'hi', model: 'claude-haiku-5-5' })
 */
export function cacheKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ v: cacheVersion, ...parts })).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function entryPath(dir: string, key: string): string {
  // Two-letter folders keep a fan-out of thousands from making one huge directory.
  return path.join(dir, key.slice(0, 2), `${key}.json`);
}

/** True when an answer is stored for `key` (for preflight, which must not read every file). */
export function hasCached(dir: string, key: string): boolean {
  return existsSync(entryPath(dir, key));
}

/**
 * The stored output for `key`; a missing or unreadable entry is a miss, never an error.
 * @example const hit = await readCached(dir, key);
 */
export async function readCached<T>(dir: string, key: string): Promise<T | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(dir, key), 'utf8')) as { key?: string; output?: T };
    return entry.key === key ? entry.output : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The run's secret values (`ctx.options.secrets`), which a stored answer must not hold.
 * @example secretsOf(ctx.options) // ['s3cr3t']
 */
export function secretsOf(options: { secrets?: string[] | undefined }): string[] {
  return options.secrets ?? [];
}

/**
 * Store an output, with every secret in it masked (a model may echo a prompt that held one).
 * Written to a temp file and renamed, so a reader never sees half an entry and two writers of
 * the same key leave one whole file. The key is a hash and holds no secret in the clear.
 * @example await writeCached(dir, key, output, secretsOf(ctx.options));
 */
export async function writeCached(dir: string, key: string, output: unknown, secrets: readonly string[] = []): Promise<void> {
  if (secrets.length) output = createMasker([...secrets]).maskDeep(output);
  const file = entryPath(dir, key);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify({ key, storedAt: new Date().toISOString(), output }));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

// A templated task's cache key is only known once it renders, so preflight cannot look its
// answers up. What it can ask is whether the task was answered before: a marker per task
// (instance index dropped) and model, written whenever an answer is stored or read. Markers sit
// beside the cache folder (`llm` -> `llm-tasks`), which holds answers and nothing else.
function markerPath(dir: string, taskId: string, model: string): string {
  const task = taskId.replace(/\[\d+\]$/, '');
  return path.join(`${dir}-tasks`, createHash('sha256').update(`${task}\n${model}`).digest('hex').slice(0, 32));
}

/**
 * Note that task `taskId` on `model` has an answer in the cache. Best effort: a lost marker
 * only means the next keyless run's preflight asks for a key.
 * @example await markAnswered(dir, 'review[3]', 'claude-haiku-5-5')
 */
export async function markAnswered(dir: string, taskId: string, model: string): Promise<void> {
  const file = markerPath(dir, taskId, model);
  if (existsSync(file)) return;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${taskId.replace(/\[\d+\]$/, '')}\n${model}\n`);
  } catch {
    // Best effort, as above.
  }
}

/** True when `markAnswered` was called for this task (any instance) and model. */
export function wasAnswered(dir: string, taskId: string, model: string): boolean {
  return existsSync(markerPath(dir, taskId, model));
}
