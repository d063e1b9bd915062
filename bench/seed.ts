// The parallelization guide's table, replayed: the workloads weft grew out of, each call a real
// request to a server on 127.0.0.1 with the table's latency (HTTP GETs, or the fake Messages API
// through the real SDK). Each row is weft's run report durationMs against the guide's "after".
import { performance } from 'node:perf_hooks';
import { createExecutorPool, type ExecutorPool } from '../engine/pool/local.js';
import { runPipeline } from '../engine/run/run.js';
import type { RunReport } from '../engine/types.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeMessagesRequest } from '../test/support/fake-anthropic.js';
import { registerSection, type BenchContext } from './harness.js';
import { startLatencyServer, type LatencyServer } from './support/latency-server.js';
import { createProject, type BenchProject } from './support/project.js';

const apiKey = 'bench-dummy-key';

/** Done when every row is within 1.25x its "after" figure plus 20 ms. */
const allowed = (afterMs: number) => afterMs * 1.25 + 20;

type Servers = { http: LatencyServer; llm: FakeAnthropic };

type Row = {
  label: string;
  beforeMs: number;
  afterMs: number;
  yaml: (servers: Servers) => string;
  /** Requests each run must make (every call reaching a server). */
  calls: number;
  /** What is compared to "after": the whole run, or the part after the given task ended. */
  measure?: (report: RunReport) => number;
  /** The same calls made straight with fetch, same limits: what this machine allows right now. */
  bare?: (servers: Servers) => Promise<unknown>;
};

/** `count` GETs of `ms`, at most `atOnce` in flight, straight with fetch. */
async function bareGets(servers: Servers, count: number, ms: number, atOnce: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await (await fetch(`${get(servers, ms, 'item')}-${i}`)).text();
    }
  };
  await Promise.all(Array.from({ length: atOnce }, lane));
}

const get = (servers: Servers, ms: number, tag: string) => `${servers.http.url}/wait?ms=${ms}&tag=${tag}`;
// The fake reads the latency from the prompt: one server, each call its own delay.
const llmWith = (ms: number, what: string) => `{ prompt: "latency=${ms} ${what}", maxTokens: 16 }`;

const rows: Row[] = [
  {
    label: 'load 100 artifacts: 100 GETs of 20 ms, at most 10 at once',
    beforeMs: 2000,
    afterMs: 200,
    calls: 100,
    yaml: (s) => forEachGet(s, 100, 20, 10),
    bare: (s) => bareGets(s, 100, 20, 10),
  },
  {
    label: 'load 50 artifact comments: 50 GETs of 20 ms, at most 5 at once',
    beforeMs: 1000,
    afterMs: 200,
    calls: 50,
    yaml: (s) => forEachGet(s, 50, 20, 5),
    bare: (s) => bareGets(s, 50, 20, 5),
  },
  {
    label: 'AI-improve 20 artifacts: 20 llm calls of 1000 ms, a pool of 3',
    beforeMs: 20000,
    afterMs: 7000,
    calls: 20,
    yaml: () =>
      [
        'models: { default: claude-haiku-5-5 }',
        'pools: { llm: { concurrency: 3 } }',
        'tasks:',
        '  improve:',
        `    forEach: "{{inputs.items}}"`,
        '    uses: llm',
        '    pool: llm',
        '    cache: false',
        `    with: ${llmWith(1000, 'improve {{item}}')}`,
        'inputs:',
        `  items: { type: array, default: [${Array.from({ length: 20 }, (_, i) => i).join(', ')}] }`,
      ].join('\n'),
  },
  {
    label: 'update 30 artifacts: 30 requests of 200 ms, 3 waves of 10 chained per artifact',
    beforeMs: 6000,
    afterMs: 1500,
    calls: 30,
    bare: (s) =>
      Promise.all(
        Array.from({ length: 10 }, async (_, a) => {
          for (let wave = 1; wave <= 3; wave++) await (await fetch(get(s, 200, `a${a}w${wave}`))).text();
        }),
      ),
    yaml: (s) => {
      const lines = ['concurrency: 10', 'tasks:'];
      for (let a = 0; a < 10; a++) {
        for (let wave = 1; wave <= 3; wave++) {
          const needs = wave > 1 ? `, needs: [a${a}w${wave - 1}]` : '';
          lines.push(`  a${a}w${wave}: { uses: http, with: { url: "${get(s, 200, `a${a}w${wave}`)}" }${needs} }`);
        }
      }
      return lines.join('\n');
    },
  },
  {
    label: 'error analysis: a 15 ms context call, then analyses of 40, 30, 35 ms in parallel (after the context call)',
    beforeMs: 105,
    afterMs: 40,
    calls: 4,
    yaml: () =>
      [
        'models: { default: claude-haiku-5-5 }',
        'tasks:',
        `  context: { uses: llm, cache: false, with: ${llmWith(15, 'context')} }`,
        ...[40, 30, 35].map((ms, i) => `  analysis${i}: { uses: llm, cache: false, needs: [context], with: ${llmWith(ms, `analysis ${i}`)} }`),
      ].join('\n'),
    measure: (report) => report.durationMs - endOffset(report, 'context'),
  },
  {
    label: 'pre-mortem: 6 category calls of 25 ms in parallel',
    beforeMs: 150,
    afterMs: 25,
    calls: 6,
    yaml: () =>
      [
        'models: { default: claude-haiku-5-5 }',
        // Six at once, as the row says (the default, 2 x CPUs, is 4 on a 2-core machine).
        'concurrency: 6',
        'tasks:',
        ...Array.from({ length: 6 }, (_, i) => `  category${i}: { uses: llm, cache: false, with: ${llmWith(25, `category ${i}`)} }`),
      ].join('\n'),
  },
];

function forEachGet(servers: Servers, count: number, ms: number, atOnce: number): string {
  return [
    // The run's own limit too: its default (2 x CPUs, 4 here) would hold the task's to 4.
    `concurrency: ${atOnce}`,
    'tasks:',
    '  load:',
    `    forEach: "{{inputs.items}}"`,
    `    concurrency: ${atOnce}`,
    '    uses: http',
    `    with: { url: "${get(servers, ms, 'item')}-{{item}}" }`,
    'inputs:',
    `  items: { type: array, default: [${Array.from({ length: count }, (_, i) => i).join(', ')}] }`,
  ].join('\n');
}

/** How long after the run's start task `id` ended. */
function endOffset(report: RunReport, id: string): number {
  const task = report.tasks[id];
  if (!task || !('endedAt' in task) || task.endedAt === undefined) throw new Error(`bench: task ${id} has no end time`);
  return task.endedAt - report.startedAt;
}

function assertSucceeded(report: RunReport, label: string): void {
  const failed = Object.entries(report.tasks).filter(([, r]) => r.status !== 'success');
  if (failed.length > 0) throw new Error(`seed row "${label}": ${failed.length} task(s) did not succeed, e.g. ${JSON.stringify(failed[0])}`);
}

/** Median over `repeat` runs after one warm-up, checking each run's calls reached the servers. */
async function measureRow(row: Row, project: BenchProject, pool: ExecutorPool, servers: Servers, repeat: number): Promise<number> {
  const name = `seed-${rows.indexOf(row)}`;
  project.write(name, `name: ${name}\n${row.yaml(servers)}\n`);
  const pipeline = await project.load(name);
  const samples: number[] = [];
  for (let i = 0; i <= repeat; i++) {
    servers.http.reset();
    servers.llm.reset();
    const report = await runPipeline(pipeline, { pool, env: { ...process.env, ANTHROPIC_API_KEY: apiKey, ANTHROPIC_BASE_URL: servers.llm.url } });
    assertSucceeded(report, row.label);
    const calls = servers.http.count + servers.llm.messageRequests().length;
    if (calls !== row.calls) throw new Error(`seed row "${row.label}": ${calls} calls reached the servers, expected ${row.calls}`);
    if (i > 0) samples.push(row.measure ? row.measure(report) : report.durationMs);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

registerSection({
  name: 'seed',
  description: "the parallelization guide's table against servers on 127.0.0.1 with its latencies: weft's durationMs vs the guide's \"after\"",
  async run(ctx: BenchContext) {
    const project = createProject();
    const servers: Servers = {
      http: await startLatencyServer(),
      llm: await startFakeAnthropic({ apiKey, respond: latencyFromPrompt }),
    };
    const pool = createExecutorPool();
    const started = performance.now();
    try {
      for (const row of rows) {
        const ms = await measureRow(row, project, pool, servers, 3);
        const met = ms <= allowed(row.afterMs);
        const bare = row.bare ? `; the same calls straight with fetch here: ${(await ctx.time(() => row.bare!(servers), 3)).toFixed(0)} ms` : '';
        ctx.row({
          label: `${row.label} (aim ≤ 1.25x after + 20 ms: ${met ? 'met' : 'MISSED'})`,
          ms,
          baselineMs: row.afterMs,
          note: `guide: ${row.beforeMs} ms before, ${row.afterMs} ms after; ${row.calls} calls reached the server each run${bare}`,
        });
      }
      ctx.line(`ratios are against the guide's "after"; the section took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await pool.destroy();
      await Promise.all([servers.http.close(), servers.llm.close()]);
      project.remove();
    }
  },
});

function latencyFromPrompt(body: FakeMessagesRequest): { text: string; latencyMs: number } {
  const last = body.messages.at(-1)?.content;
  const text = typeof last === 'string' ? last : (last ?? []).map((c) => c.text ?? '').join('');
  const ms = Number(/latency=(\d+)/.exec(text)?.[1] ?? 0);
  return { text: `done: ${text}`, latencyMs: ms };
}
