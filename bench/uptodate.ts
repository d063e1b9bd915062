// Up-to-date checks: a 1,000-task pipeline over 10,000 source files, run once (everything runs),
// then again with everything up to date. The second run is compared with the first and with a
// `make -q`-style check measured in this process: stat every target and every source, and
// compare modification times (what make does, without reading a byte).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createExecutorPool } from '../engine/pool/local.js';
import { runPipeline } from '../engine/run/run.js';
import { openStore } from '../engine/store/store.js';
import type { Pipeline } from '../engine/types.js';
import { registerSection, type BenchContext } from './harness.js';
import { assertSucceeded, createProject, type BenchProject } from './support/project.js';
import { seededRandom } from './support/random.js';

const TASKS = 1000;
const FILES_PER_TASK = 10;
/** Headers every task reads: the same 10 files in 1,000 tasks' sources, hashed once per run. */
const SHARED = 10;

// Each task concatenates its module's sources into out/t<i>.o.
const BUILD_MODULE = `import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
export default function build(i, ctx) {
  const dir = path.join(ctx.root, 'src', 'm' + i);
  const text = readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
  mkdirSync(path.join(ctx.root, 'out'), { recursive: true });
  writeFileSync(path.join(ctx.root, 'out', 't' + i + '.o'), text);
  return text.length;
}
`;

function writeTree(project: BenchProject): void {
  const random = seededRandom(11);
  mkdirSync(path.join(project.dir, 'include'));
  for (let h = 0; h < SHARED; h++) writeFileSync(path.join(project.dir, 'include', `h${h}.h`), `#define H${h} ${h}\n`);
  for (let i = 0; i < TASKS; i++) {
    const dir = path.join(project.dir, 'src', `m${i}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_TASK; f++) writeFileSync(path.join(dir, `f${f}.c`), `int m${i}_f${f} = ${Math.floor(random() * 1e6)};\n`.repeat(20));
  }
  writeFileSync(path.join(project.dir, 'build.mjs'), BUILD_MODULE);
  const lines = ['name: uptodate', 'tasks:'];
  for (let i = 0; i < TASKS; i++) {
    lines.push(`  t${i}:`);
    const needs = i === 0 ? [] : [...new Set([Math.floor(random() * i), Math.floor(random() * i)])];
    if (needs.length) lines.push(`    needs: [${needs.map((n) => `t${n}`).join(', ')}]`);
    lines.push(`    sources: ["src/m${i}/*.c", "include/*.h"]`, `    generates: [out/t${i}.o]`, `    uses: node`, `    with: { module: build.mjs, input: ${i} }`);
  }
  project.write('uptodate', `${lines.join('\n')}\n`);
}

/** What `make -q` does for the same targets: stat each target and its sources, compare mtimes. */
function makeQuestion(dir: string): number {
  let stale = 0;
  const headers = readdirSync(path.join(dir, 'include')).map((h) => path.join(dir, 'include', h));
  for (let i = 0; i < TASKS; i++) {
    const target = statSync(path.join(dir, 'out', `t${i}.o`), { throwIfNoEntry: false });
    const srcDir = path.join(dir, 'src', `m${i}`);
    const sources = [...readdirSync(srcDir).map((f) => path.join(srcDir, f)), ...headers];
    const newest = Math.max(...sources.map((s) => statSync(s).mtimeMs));
    if (!target || target.mtimeMs < newest) stale++;
  }
  return stale;
}

async function measure(ctx: BenchContext, project: BenchProject, pipeline: Pipeline): Promise<void> {
  const store = openStore(project.dir);
  // As `weft run` does: threads started while the pipeline loads, so not in the run's time.
  const pool = createExecutorPool({});
  try {
    const started = performance.now();
    const first = assertSucceeded(await runPipeline(pipeline, { store, pool }));
    const firstMs = performance.now() - started;
    if (Object.values(first.tasks).some((r) => r.status !== 'success')) throw new Error('first run: every task should run');
    const second = async () => {
      const report = assertSucceeded(await runPipeline(pipeline, { store, pool }));
      const ran = Object.values(report.tasks).filter((r) => r.status !== 'up-to-date').length;
      if (ran > 0) throw new Error(`second run: ${ran} tasks were not up to date`);
    };
    const secondMs = await ctx.time(second, 3);
    const makeMs = await ctx.time(() => {
      if (makeQuestion(project.dir) !== 0) throw new Error('make -q: targets should be up to date');
    }, 3);
    const loadMs = await ctx.time(() => project.load('uptodate'), 3);
    const aim = secondMs < firstMs * 0.1 && secondMs < 1000;
    ctx.row({ label: 'second run, 1,000 tasks up to date', ms: secondMs, baselineMs: firstMs, note: `vs the first run (aim < 0.10x and < 1 s beyond loading: ${aim ? 'met' : 'MISSED'})` });
    ctx.row({ label: 'second run, 1,000 tasks up to date', ms: secondMs, baselineMs: makeMs, note: 'vs make -q-style mtime checks of the same 11,000 files' });
    ctx.row({ label: 'first run, every task runs', ms: firstMs, baselineMs: makeMs, note: 'vs make -q-style mtime checks' });
    ctx.line(`loading the 1,000-task pipeline (parse, validate, plan): ${loadMs.toFixed(0)} ms, not in the run figures; make -q-style check: ${makeMs.toFixed(0)} ms`);
  } finally {
    store.close();
    await pool.destroy();
  }
}

registerSection({
  name: 'uptodate',
  description: '1,000 tasks over 10,000 source files: the all-up-to-date second run vs the first run, and vs make -q-style timestamp checks',
  async run(ctx) {
    const project = createProject();
    try {
      writeTree(project);
      await measure(ctx, project, await project.load('uptodate'));
    } finally {
      project.remove();
    }
  },
});
