// Definition cost: how long weft takes to read, check and plan a big pipeline before any task
// runs. Baseline: `yaml.parse` of the same text, i.e. the least any YAML-based tool must pay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';
import * as graphlib from '@dagrejs/graphlib';
import { loadPipeline } from '../engine/load/load.js';
import { planPipeline } from '../engine/plan/plan.js';
import { buildGraph, findCycle, topologicalOrder } from '../engine/plan/graph.js';
import { formatProblem } from '../engine/errors.js';
import type { Pipeline } from '../engine/types.js';
import { registerSection } from './harness.js';
import { seededRandom } from './support/random.js';

/** Aim from the issue: 10,000 tasks read, validated and planned in under a second. */
const aimMs = 1000;

/**
 * A pipeline of `count` shell tasks, each needing up to 3 random earlier tasks (so it is acyclic).
 * @example generatePipeline(3, 1) // 'name: gen-3\ntasks:\n  t0:\n    run: echo 0\n  t1: …'
 */
export function generatePipeline(count: number, seed: number): string {
  const random = seededRandom(seed);
  const lines = [`name: gen-${count}`, `description: ${count} generated tasks`, 'tasks:'];
  for (let i = 0; i < count; i++) {
    const needs = new Set<number>();
    for (let k = 0; k < 3 && i > 0; k++) needs.add(Math.floor(random() * i));
    lines.push(`  t${i}:`);
    if (needs.size > 0) lines.push(`    needs: [${[...needs].map((n) => `t${n}`).join(', ')}]`);
    lines.push(`    run: echo ${i}`);
  }
  return `${lines.join('\n')}\n`;
}

async function load(file: string, cwd: string): Promise<Pipeline> {
  const { pipeline, problems } = await loadPipeline(file, { cwd });
  if (!pipeline || problems.length > 0) throw new Error(`generated pipeline is invalid:\n${problems.slice(0, 5).map(formatProblem).join('\n')}`);
  return pipeline;
}

registerSection({
  name: 'definition',
  description: 'parse + validate + plan of generated pipelines (3 random needs per task); baseline: yaml.parse of the same text',
  async run(ctx) {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-'));
    try {
      for (const count of [1_000, 10_000]) {
        const text = generatePipeline(count, 42);
        const file = path.join(dir, `gen-${count}.yaml`);
        writeFileSync(file, text);
        const repeat = count >= 10_000 ? 3 : 5;
        const baselineMs = await ctx.time(() => parse(text), repeat);
        const documentMs = await ctx.time(() => parseDocument(text, { keepSourceTokens: true }), repeat);
        const pipeline = await load(file, dir);
        const loadMs = await ctx.time(() => load(file, dir), repeat);
        const planMs = await ctx.time(() => planPipeline(pipeline), repeat);
        // engine/plan/graph.ts replaced @dagrejs/graphlib on this path; this pair keeps the reason measured.
        const graphMs = await ctx.time(() => {
          const graph = buildGraph(pipeline.tasks);
          return findCycle(graph) ?? topologicalOrder(graph);
        }, repeat);
        const graphlibMs = await ctx.time(() => {
          const graph = new graphlib.Graph();
          for (const task of Object.values(pipeline.tasks)) {
            graph.setNode(task.id);
            for (const need of task.needs) graph.setEdge(need, task.id);
          }
          return graphlib.alg.findCycles(graph).length ? undefined : graphlib.alg.topsort(graph);
        }, repeat);
        const n = count.toLocaleString('en-US');
        ctx.row({ label: `${n} tasks: yaml.parse (baseline)`, ms: baselineMs, baselineMs });
        ctx.row({ label: `${n} tasks: yaml.parseDocument (with positions)`, ms: documentMs, baselineMs });
        ctx.row({ label: `${n} tasks: loadPipeline (read, parse, validate)`, ms: loadMs, baselineMs });
        ctx.row({ label: `${n} tasks: planPipeline (batches, critical path)`, ms: planMs, baselineMs });
        ctx.row({ label: `${n} tasks: graph build + cycle check + topo order (engine/plan/graph.ts)`, ms: graphMs, baselineMs: graphlibMs, note: 'ratio vs @dagrejs/graphlib doing the same' });
        ctx.row({ label: `${n} tasks: the same with @dagrejs/graphlib`, ms: graphlibMs, baselineMs: graphlibMs });
        const total = loadMs + planMs;
        const verdict = count === 10_000 ? (total < aimMs ? ' (aim < 1 s: met)' : ' (aim < 1 s: MISSED)') : '';
        ctx.row({ label: `${n} tasks: total definition${verdict}`, ms: total, baselineMs, note: `${((total / count) * 1000).toFixed(1)} µs/task` });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
