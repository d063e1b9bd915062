import { describe, expect, it } from 'vitest';
import { queueNameFor } from '../../engine/pool/queue-protocol.js';
import type { WorkerInfo } from '../../engine/pool/queue-registry.js';
import { chooseQueue, noWorkerMessage } from '../../engine/pool/queue-route.js';

const worker = (id: string, tags: string[], concurrency = 4): WorkerInfo => ({
  id, host: 'h', pid: 1, tags, concurrency, running: 0, done: 0, startedAt: 0, queue: queueNameFor(tags),
});

describe('chooseQueue', () => {
  const live = [worker('a', []), worker('b', ['gpu', 'linux']), worker('c', ['linux'])];

  it('takes only queues whose workers have every tag a task asks for', () => {
    expect(chooseQueue(live, ['gpu'], () => 0)).toBe('attempts.gpu+linux');
    expect(chooseQueue(live, ['linux', 'gpu'], () => 0)).toBe('attempts.gpu+linux');
    expect(chooseQueue(live, ['tpu'], () => 0)).toBeUndefined();
    expect(chooseQueue([], [], () => 0)).toBeUndefined();
  });

  it('sends an untagged task to the least loaded queue, per slot', () => {
    const inflight: Record<string, number> = { attempts: 4, 'attempts.gpu+linux': 1, 'attempts.linux': 3 };
    expect(chooseQueue(live, [], (q) => inflight[q] ?? 0)).toBe('attempts.gpu+linux');
    // Two workers on one queue have twice the slots.
    expect(chooseQueue([...live, worker('d', [])], [], (q) => ({ attempts: 4 })[q] ?? 8)).toBe('attempts');
  });
});

describe('noWorkerMessage', () => {
  it('says what to start, or what tags the live workers offer', () => {
    expect(noWorkerMessage('t', [], [])).toMatch(/no live weft worker.*weft worker --queue/);
    expect(noWorkerMessage('t', ['tpu'], [worker('a', []), worker('b', ['gpu'])])).toBe('task t: no live worker with tags tpu (live workers offer: (no tags), gpu)');
  });
});
