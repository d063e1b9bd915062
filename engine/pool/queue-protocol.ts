// What travels through Redis between `weft run --queue` (the coordinator) and `weft worker`:
// one BullMQ job per attempt, its result as data, and the names of the keys both sides use.
// Plain JSON only; nothing here imports bullmq, so the CLI can name queues without loading it.
import { createHash } from 'node:crypto';
import { WeftError } from '../errors.js';
import type { ErrorData } from '../types.js';

/** Bumped when the job or result shape changes: a worker refuses jobs of another version. */
export const PROTOCOL_VERSION = 1;

/**
 * The most a job's data or a result may weigh, serialized (8 MiB). Redis holds strings up to
 * 512 MB, but every byte sits in memory and crosses the network twice; an output this size
 * belongs in a file the task writes.
 */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

/** One attempt, as the coordinator sends it. */
export type QueueJob = {
  v: typeof PROTOCOL_VERSION;
  /** Executor name and where it was registered from: the worker looks it up in its own registry. */
  executor: string;
  source: string;
  /** Rendered `with` values (or a batch's items), secrets still placeholders (queue-secrets.ts). */
  input: unknown;
  batch: boolean;
  taskId: string;
  attempt: number;
  /** Project root on the coordinator; the worker's checkout must sit at the same path. */
  root: string;
  model?: string;
  timeoutMs?: number;
  /** The executor's options (cache switch, API settings, a template's scope). */
  options: Record<string, unknown>;
  /** Only the variables the pipeline and the task set: the rest is the worker's own environment. */
  env: Record<string, string>;
  /** Secret names the payload's placeholders stand for, and the run's placeholder nonce. */
  secrets: string[];
  nonce: string;
  /** Whether the coordinator listens to log lines. */
  logs: boolean;
};

/** What a worker returns for a job: an executor's failure is a result too, not a failed job. */
export type QueueResult = { ok: true; value: unknown } | { ok: false; error: ErrorData };

/** Log lines, batched into one BullMQ progress event: [stream, line] pairs in order. */
export type LogBatch = { logs: Array<[stream: 'stdout' | 'stderr', line: string]> };

/** A request on the cancel channel: abort this job wherever it runs. */
export type CancelMessage = { jobId: string; reason: ErrorData };

/**
 * The Redis key prefix of a project: a hash of its root and config file, so two projects (or two
 * checkouts of one) sharing a Redis never take each other's jobs.
 * @example projectPrefix('/srv/app', '/srv/app/weft.config.yaml') // 'weft:3f9c0a12b7d4'
 */
export function projectPrefix(root: string, configFile: string | undefined): string {
  const hash = createHash('sha256').update(`${root}\0${configFile ?? ''}`).digest('hex').slice(0, 12);
  return `weft:${hash}`;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Worker tags as a sorted, deduplicated list; a tag that cannot name a queue is a USAGE error.
 * @example parseTags('linux, gpu') // ['gpu', 'linux']
 */
export function parseTags(text: string | undefined): string[] {
  const tags = (text ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  for (const tag of tags) {
    if (!TAG.test(tag)) throw new WeftError('USAGE', `--tags: "${tag}" is not a tag (letters, digits, _ . - only)`);
  }
  return [...new Set(tags)].sort();
}

/**
 * The queue a worker with these tags takes jobs from. Workers with the same tags share one
 * queue (BullMQ balances it and re-runs its stalled jobs); the coordinator picks, for each job,
 * a queue whose tags include everything the task's `runsOn` asks for.
 * @example queueNameFor([]) // 'attempts'; queueNameFor(['gpu', 'linux']) // 'attempts.gpu+linux'
 */
export function queueNameFor(tags: readonly string[]): string {
  return tags.length ? `attempts.${[...tags].sort().join('+')}` : 'attempts';
}

/** Redis keys besides BullMQ's own: the live-worker registry and the cancel channel. */
export function registryKeys(prefix: string) {
  return {
    workers: `${prefix}:workers`,
    worker: (id: string) => `${prefix}:worker:${id}`,
    cancel: `${prefix}:cancel`,
  };
}

/**
 * An error naming what is too big when a value's JSON exceeds the limit, else undefined.
 * @example payloadTooLarge({ ok: true, value: 'x' }, 'the output of task a') // undefined
 */
export function payloadTooLarge(value: unknown, what: string, limit = MAX_PAYLOAD_BYTES): ErrorData | undefined {
  const json = JSON.stringify(value) ?? '';
  // Quick bound first: a UTF-8 byte is at least one UTF-16 unit, at most three per unit.
  if (json.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes <= limit) return undefined;
  return {
    code: 'PAYLOAD_TOO_LARGE',
    message: `${what} is ${mib(bytes)} as JSON, over the queue's limit of ${mib(limit)}: write large outputs to a file and return its path`,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
