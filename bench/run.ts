// Run cost: what weft's scheduler, templates and executor pool add on top of the work itself.
// Each figure has a baseline measured here: the same calls straight to a bare Piscina pool, a
// level-by-level runner, `make -j8`, or the lower bound the task durations allow.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createExecutorPool, type ExecutorPool } from '../engine/pool/local.js';
import { runPipeline } from '../engine/run/run.js';
import type { Pipeline } from '../engine/types.js';
import { seededRandom } from './support/random.js';
import { registerSection, type BenchContext } from './harness.js';
import { assertSucceeded, barePool, createProject, measure, mib, runBare, runBareLimited, type BenchProject } from './support/project.js';

const execFileAsync = promisify(execFile);

/** Aims from issue 3. */
const aims = { noopRatio: 1.25, sleepRatio: 1.1, shellRatio: 2, forEachMs: 15_000, forEachRss: 2 ** 30 };

const verdict = (met: boolean, aim: string) => ` (aim ${aim}: ${met ? 'met' : 'MISSED'})`;

/** Task i's needs: `draws` random earlier tasks (fewer when they coincide), seeded. */
function randomNeeds(count: number, seed: number, draws: (random: () => number) => number): number[][] {
  const random = seededRandom(seed);
  const needs: number[][] = [];
  for (let i = 0; i < count; i++) {
    const set = new Set<number>();
    const n = i === 0 ? 0 : draws(random);
    for (let k = 0; k < n; k++) set.add(Math.floor(random() * i));
    needs.push([...set].sort((a, b) => a - b));
  }
  return needs;
}

/** YAML for tasks t0…t(n-1) with the given needs; `body(i)` gives each task's own lines. */
function dagYaml(name: string, needs: number[][], body: (i: number) => string[], head: string[] = []): string {
  const lines = [`name: ${name}`, ...head, 'tasks:'];
  needs.forEach((list, i) => {
    lines.push(`  t${i}:`);
    if (list.length > 0) lines.push(`    needs: [${list.map((n) => `t${n}`).join(', ')}]`);
    for (const l of body(i)) lines.push(`    ${l}`);
  });
  return `${lines.join('\n')}\n`;
}

const nodeTask = (module: string, input: number | string) => ['uses: node', `with: { module: ${module}, input: ${input} }`];

function runWith(pipeline: Pipeline, pool: ExecutorPool, extra: Parameters<typeof runPipeline>[1] = {}) {
  return runPipeline(pipeline, { pool, ...extra }).then(assertSucceeded);
}

/** 1. 10,000 no-op node tasks in a DAG vs the same 10,000 calls on a bare Piscina pool. */
async function noopDag(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 10_000;
  const needs = randomNeeds(count, 42, () => 3);
  project.write('noop-dag', dagYaml('noop-dag', needs, (i) => nodeTask('noop.mjs', i)));
  project.write('noop-dag-wide', dagYaml('noop-dag-wide', needs, (i) => nodeTask('noop.mjs', i), ['concurrency: 128']));
  const pipeline = await project.load('noop-dag');
  const wide = await project.load('noop-dag-wide');

  // Same threads as weft's pool; Piscina's default of one call per thread, and weft's 64.
  const bare1 = barePool(project, pool.workers);
  const bare64 = barePool(project, pool.workers, 64);
  try {
    // In turns, five rounds after a warm-up: medians of five, each run beside the others.
    const times = await ctx.timeInTurns({
      bare1: () => runBare(bare1, count),
      bare64: () => runBare(bare64, count),
      // Not the baseline: what a pool pays when only the default concurrency's calls are in flight.
      limited: () => runBareLimited(bare64, count, pipeline.concurrency),
      weft: () => runWith(pipeline, pool),
      wide: () => runWith(wide, pool),
    });
    const { bare1: bare1Ms, bare64: bare64Ms, limited: limitedMs, weft: weftMs, wide: wideMs } = times;
    const baselineMs = Math.min(bare1Ms, bare64Ms);
    ctx.row({ label: `10,000 calls, bare Piscina (${pool.workers} threads, 1 call/thread)`, ms: bare1Ms, baselineMs });
    ctx.row({ label: `10,000 calls, bare Piscina (${pool.workers} threads, 64 calls/thread)`, ms: bare64Ms, baselineMs });
    ctx.row({ label: `10,000 calls, bare Piscina, ${pipeline.concurrency} in flight at a time (weft's default concurrency)`, ms: limitedMs, baselineMs });
    ctx.row({
      label: `10,000 no-op node tasks, DAG x3 needs, default concurrency (${pipeline.concurrency})${verdict(weftMs / baselineMs <= aims.noopRatio, '≤ 1.25x')}`,
      ms: weftMs,
      baselineMs,
      note: `${((weftMs / count) * 1000).toFixed(0)} µs/task`,
    });
    ctx.row({ label: '10,000 no-op node tasks, DAG x3 needs, concurrency 128', ms: wideMs, baselineMs, note: `${((wideMs / count) * 1000).toFixed(0)} µs/task` });
  } finally {
    await Promise.all([bare1.close(), bare64.close()]);
  }
}

type SleepDag = { needs: number[][]; durations: number[] };

/** Longest chain of durations through the DAG. */
function criticalPathMs({ needs, durations }: SleepDag): number {
  const finish: number[] = [];
  needs.forEach((list, i) => (finish[i] = durations[i]! + Math.max(0, ...list.map((n) => finish[n]!))));
  return Math.max(...finish);
}

/** Topological batches: a task's level is one more than its deepest need. */
function levelsOf(needs: number[][]): number[][] {
  const level: number[] = [];
  const levels: number[][] = [];
  needs.forEach((list, i) => {
    level[i] = list.length === 0 ? 0 : 1 + Math.max(...list.map((n) => level[n]!));
    (levels[level[i]!] ??= []).push(i);
  });
  return levels;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Second baseline: each level through a `limit`-wide limiter, a barrier between levels, sleeping on the main thread. */
async function runLevels({ needs, durations }: SleepDag, limit: number): Promise<void> {
  for (const level of levelsOf(needs)) {
    let next = 0;
    const lane = async () => {
      while (next < level.length) await sleep(durations[level[next++]!]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, level.length) }, lane));
  }
}

/**
 * Makespan of a zero-overhead list scheduler with weft's policy (longest remaining path in task
 * count first, ties in push order): what weft would get if its own cost were nil.
 */
function simulateListSchedule({ needs, durations }: SleepDag, limit: number): number {
  const n = needs.length;
  const dependents: number[][] = needs.map(() => []);
  needs.forEach((list, i) => list.forEach((d) => dependents[d]!.push(i)));
  const remaining: number[] = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) remaining[i] = 1 + Math.max(0, ...dependents[i]!.map((d) => remaining[d]!));
  const waiting = needs.map((l) => l.length);
  const ready: Array<{ id: number; seq: number }> = [];
  let seq = 0;
  const push = (id: number) => ready.push({ id, seq: seq++ });
  for (let i = 0; i < n; i++) if (waiting[i] === 0) push(i);
  const running: Array<{ id: number; end: number }> = [];
  let now = 0;
  let done = 0;
  while (done < n) {
    ready.sort((a, b) => remaining[b.id]! - remaining[a.id]! || a.seq - b.seq);
    while (running.length < limit && ready.length > 0) {
      const { id } = ready.shift()!;
      running.push({ id, end: now + durations[id]! });
    }
    running.sort((a, b) => a.end - b.end);
    const first = running.shift()!;
    now = first.end;
    const ended = [first, ...running.filter((r) => r.end === now)];
    for (const r of ended.slice(1)) running.splice(running.indexOf(r), 1);
    for (const r of ended) {
      done++;
      for (const d of dependents[r.id]!) if (--waiting[d]! === 0) push(d);
    }
  }
  return now;
}

/** 2. 200 sleep tasks in a random DAG at concurrency 4 vs the lower bound and a level-by-level runner. */
async function sleepDag(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 200;
  const limit = 4;
  const dag: SleepDag = { needs: randomNeeds(count, 7, (random) => Math.floor(random() * 4)), durations: [] };
  const random = seededRandom(11);
  dag.durations = dag.needs.map(() => 5 + Math.floor(random() * 46));
  project.write('sleep-dag', dagYaml('sleep-dag', dag.needs, (i) => nodeTask('sleep.mjs', dag.durations[i]!), [`concurrency: ${limit}`]));
  const pipeline = await project.load('sleep-dag');

  const total = dag.durations.reduce((a, b) => a + b, 0);
  const critical = criticalPathMs(dag);
  const lowerBound = Math.max(critical, total / limit);
  const simulated = simulateListSchedule(dag, limit);
  const levelsMs = await ctx.time(() => runLevels(dag, limit), 3);
  const weftMs = await ctx.time(() => runWith(pipeline, pool), 3);
  const levels = levelsOf(dag.needs).length;
  ctx.row({ label: `lower bound max(critical path ${critical} ms, work ${total} ms / ${limit})`, ms: lowerBound, baselineMs: lowerBound, note: 'computed' });
  ctx.row({ label: "zero-overhead list schedule, weft's priority (simulated)", ms: simulated, baselineMs: lowerBound, note: 'computed' });
  ctx.row({ label: `level-by-level runner, main-thread setTimeout (${levels} levels)`, ms: levelsMs, baselineMs: lowerBound });
  ctx.row({ label: `weft, ${count} node sleep tasks (5-50 ms), concurrency ${limit}${verdict(weftMs / lowerBound <= aims.sleepRatio, '≤ 1.10x')}`, ms: weftMs, baselineMs: lowerBound });
  ctx.line(`weft vs level-by-level runner: ${(weftMs / levelsMs).toFixed(2)}x; vs simulated list schedule: ${(weftMs / simulated).toFixed(2)}x`);
}

/** 3. 1,000 `true` shell tasks at concurrency 8 vs `make -j8` over 1,000 phony targets. */
async function shellVsMake(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 1_000;
  const needs = Array.from({ length: count }, () => []);
  project.write('shell-true', dagYaml('shell-true', needs, () => ['run: "true"'], ['concurrency: 8']));
  const pipeline = await project.load('shell-true');
  const targets = Array.from({ length: count }, (_, i) => `t${i}`);
  const makefile = path.join(project.dir, 'Makefile');
  writeFileSync(makefile, `.PHONY: all ${targets.join(' ')}\nall: ${targets.join(' ')}\n${targets.map((t) => `${t}:\n\ttrue\n`).join('')}`);

  let makeMs: number;
  try {
    // One timed run after the warm-up: 1,000 process spawns each side is already an average.
    makeMs = await ctx.time(() => execFileAsync('make', ['-s', '-j8', '-f', makefile, 'all'], { cwd: project.dir }), 1);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    ctx.line(missing ? 'make is not installed: no baseline for the shell figure' : `make failed: ${(error as Error).message}`);
    const weftMs = await ctx.time(() => runWith(pipeline, pool), 1);
    ctx.row({ label: `weft, ${count} "true" shell tasks, concurrency 8 (no baseline)`, ms: weftMs, baselineMs: weftMs });
    return;
  }
  const weftMs = await ctx.time(() => runWith(pipeline, pool), 1);
  ctx.row({ label: `make -j8, ${count} phony targets running true`, ms: makeMs, baselineMs: makeMs, note: `${((makeMs / count) * 1000).toFixed(0)} µs/target` });
  ctx.row({
    label: `weft, ${count} "true" shell tasks, concurrency 8${verdict(weftMs / makeMs <= aims.shellRatio, '≤ 2x')}`,
    ms: weftMs,
    baselineMs: makeMs,
    note: `${((weftMs / count) * 1000).toFixed(0)} µs/task; weft's RSS ${mib(process.memoryUsage.rss())}`,
  });
}

/** 4. forEach over 100,000 items with the no-op node function: wall time and peak RSS. */
async function forEachMany(ctx: BenchContext, project: BenchProject, pool: ExecutorPool): Promise<void> {
  const count = 100_000;
  project.write(
    'for-each',
    [
      'name: for-each',
      'inputs:',
      '  items: { type: array, default: [] }',
      'tasks:',
      '  each:',
      '    forEach: "{{inputs.items}}"',
      '    uses: node',
      '    with: { module: noop.mjs, input: "{{item}}" }',
      '',
    ].join('\n'),
  );
  const pipeline = await project.load('for-each');
  const items = Array.from({ length: count }, (_, i) => i);
  // Warm both sides on a small run (module imports, JIT), then one measured run of each.
  await runWith(pipeline, pool, { inputs: { items: items.slice(0, 1_000) } });
  const bare = barePool(project, pool.workers, 64);
  let bareRun;
  try {
    await runBare(bare, 1_000);
    bareRun = await measure(() => runBare(bare, count));
  } finally {
    await bare.close();
  }
  const weftRun = await measure(() => runWith(pipeline, pool, { inputs: { items } }));
  const ok = weftRun.ms < aims.forEachMs && weftRun.peakRss < aims.forEachRss;
  ctx.row({ label: `100,000 calls, bare Piscina (${pool.workers} threads, 64 calls/thread)`, ms: bareRun.ms, baselineMs: bareRun.ms, note: `peak RSS ${mib(bareRun.peakRss)}` });
  ctx.row({
    label: `weft forEach, 100,000 no-op node items, concurrency ${pipeline.concurrency}${verdict(ok, '< 15 s, < 1 GiB')}`,
    ms: weftRun.ms,
    baselineMs: bareRun.ms,
    note: `peak RSS ${mib(weftRun.peakRss)} (at start ${mib(weftRun.startRss)})`,
  });
}

registerSection({
  name: 'run',
  description: 'running tasks: no-op DAG vs bare Piscina, sleep DAG vs its lower bound, shell vs make -j8, forEach of 100,000',
  async run(ctx) {
    const project = createProject();
    // One pool, sized as runPipeline sizes its own, reused so thread start-up is outside the timings.
    const pool = createExecutorPool();
    try {
      // Shell first: spawning forks this process, and a fork costs more the larger its RSS grows
      // (measured here: ~10 ms per spawn at 55 MiB, ~26 ms at 425 MiB), so it runs before the big runs.
      await shellVsMake(ctx, project, pool);
      await noopDag(ctx, project, pool);
      await sleepDag(ctx, project, pool);
      await forEachMany(ctx, project, pool);
    } finally {
      await pool.destroy();
      project.remove();
    }
  },
});
