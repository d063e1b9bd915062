import { describe, expect, it } from 'vitest';
import { runLlmYaml, startFake, expectSuccess } from './support.js';

type Arrival = { index: number; inFlight: number; at: number; status: number };

/** `count` llm calls fanned out through an adaptive pool `ai` of width 4. */
function fanOut(count: number, retry = ''): string {
  return `
concurrency: 16
pools:
  ai: { concurrency: 4, adaptive: true }
models: { default: haiku, aliases: { haiku: claude-haiku-5-5 } }
tasks:
  ask:
    uses: llm
    pool: ai
    forEach: ${JSON.stringify(Array.from({ length: count }, (_, i) => i))}${retry ? `\n    retry: ${retry}` : ''}
    with: { prompt: "item {{item}}" }
`;
}

/** A fan-out of `count` llm calls in an adaptive pool of 4; the fake answers 429 to requests [from, to). */
async function runBurst(options: { count: number; burst?: { from: number; to: number }; workers?: number }) {
  // Each arrival records how many requests the fake was answering at that moment, itself included.
  const arrivals: Arrival[] = [];
  const burst = options.burst ?? { from: Infinity, to: Infinity };
  // The opening four answers wait until all four have arrived: the pool's full width is shown by
  // construction, not by how fast a loaded machine sends the requests.
  let opening!: () => void;
  const openingFull = new Promise<void>((resolve) => (opening = resolve));
  const fake = await startFake({
    latencyMs: 400,
    respond: async (_body, { index }) => {
      const limited = index >= burst.from && index < burst.to;
      arrivals.push({ index, inFlight: fake.inFlight, at: Date.now(), status: limited ? 429 : 200 });
      if (index < 4) {
        if (arrivals.length === 4) opening();
        await openingFull;
      }
      return limited ? { error: { status: 429, retryAfterMs: 20 } } : undefined;
    },
  });
  const { report } = await runLlmYaml(
    fake,
    fanOut(options.count, '{ attempts: 10, delay: 1ms, backoff: fixed }'),
    {
      noCache: true,
      files: options.workers ? { 'weft.config.yaml': `workers: ${options.workers}\n` } : {},
    },
  );
  return { report, arrivals, fake };
}

describe('adaptive llm pool through runPipeline', () => {
  it('never exceeds the pool concurrency, and runs fewer calls at once after a burst of 429s', async () => {
    const burst = { from: 12, to: 20 };
    const { report, arrivals, fake } = await runBurst({ count: 40, burst });
    expectSuccess(report);
    expect(Object.values(report.tasks).filter((r) => r.status === 'success')).toHaveLength(40);
    expect(arrivals.filter((a) => a.status === 429)).toHaveLength(8);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
    expect(Math.max(...arrivals.map((a) => a.inFlight))).toBeLessThanOrEqual(4);
    // Before the burst the pool used its full width...
    const before = arrivals.filter((a) => a.index < burst.from);
    expect(Math.max(...before.map((a) => a.inFlight))).toBe(4);
    // ...and once the server said 429, fewer at once: the next calls that reached the server
    // found at most 2 in flight (AIMD halves the limit, then grows one step per window).
    const firstLimited = arrivals.find((a) => a.status === 429)!;
    const lastLimited = arrivals.filter((a) => a.status === 429).at(-1)!;
    const after = arrivals.filter((a) => a.index > lastLimited.index).slice(0, 3);
    expect(after).toHaveLength(3);
    expect(Math.max(...after.map((a) => a.inFlight))).toBeLessThanOrEqual(2);
    expect(lastLimited.at).toBeGreaterThanOrEqual(firstLimited.at);
  });

  it('slows down before any 429 when the rate-limit headroom the API reports runs low', async () => {
    // Every answer costs 100 tokens of a 2,000-token window the fake reports (without enforcing
    // it) in anthropic-ratelimit-tokens-remaining: below 10% headroom the pool must narrow itself.
    const arrivals: Arrival[] = [];
    // The first four answers wait until all four are in flight: full width by construction, not
    // by how fast a loaded machine sends them.
    let opening!: () => void;
    const openingFull = new Promise<void>((resolve) => (opening = resolve));
    const fake = await startFake({
      latencyMs: 150,
      rateLimit: { requests: 1_000, per: 'minute', tokens: 2_000 },
      respond: async (_body, { index }) => {
        arrivals.push({ index, inFlight: fake.inFlight, at: Date.now(), status: 200 });
        if (index < 4) {
          if (arrivals.length === 4) opening();
          await openingFull;
        }
        return { text: 'ok', usage: { input_tokens: 50, output_tokens: 50 } };
      },
    });
    const { report } = await runLlmYaml(fake, fanOut(32), { noCache: true });
    expectSuccess(report);
    expect(fake.messageRequests()).toHaveLength(32);
    // Full width while there was headroom...
    expect(Math.max(...arrivals.filter((a) => a.index < 12).map((a) => a.inFlight))).toBe(4);
    // ...and once 18 answers had used 90% of the window, no more than 2 at once (it goes to 1).
    const late = arrivals.filter((a) => a.index >= 26);
    expect(late.length).toBeGreaterThan(0);
    expect(Math.max(...late.map((a) => a.inFlight))).toBeLessThanOrEqual(2);
  });

  // Every call carries an AbortSignal; the worker threads (one here) must not cap what is in
  // flight below the pool's width (Piscina counts a thread running an abortable task as full).
  it('with a single worker thread, still fills the pool of 4', async () => {
    const { report, fake } = await runBurst({ count: 12, workers: 1 });
    expectSuccess(report);
    expect(fake.maxInFlight).toBe(4);
  });
});
