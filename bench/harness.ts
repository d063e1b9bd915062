// A small benchmark harness: sections register themselves, each figure is printed as a ratio
// against a baseline measured in the same process (machines differ; ratios travel), plus ms.
import { performance } from 'node:perf_hooks';

/** One printed figure: what was measured, its median time, and the baseline it is compared to. */
export type Row = { label: string; ms: number; baselineMs: number; note?: string };

/** What a section gets: a timer and a place to put rows and free-form lines. */
export type BenchContext = {
  /** Median wall time of `repeat` runs of `fn`, after one warm-up run. */
  time(fn: () => unknown | Promise<unknown>, repeat?: number): Promise<number>;
  /** Median wall time of each of `fns`, run in turns (see timeInTurns). */
  timeInTurns<K extends string>(fns: Record<K, () => unknown | Promise<unknown>>, rounds?: number): Promise<Record<K, number>>;
  row(row: Row): void;
  line(text: string): void;
};

/** A benchmark section, e.g. `definition`; `npm run bench -- <name>` runs one. */
export interface BenchSection {
  name: string;
  /** One line: what is measured and what the baseline is. */
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

const sections: BenchSection[] = [];

/**
 * Add a section; bench/index.ts imports each section file once, so adding one is one import line.
 * @example registerSection({ name: 'noop', description: 'nothing vs nothing', async run(ctx) {} })
 */
export function registerSection(section: BenchSection): void {
  if (sections.some((s) => s.name === section.name)) throw new Error(`bench section "${section.name}" registered twice`);
  sections.push(section);
}

export function registeredSections(): readonly BenchSection[] {
  return sections;
}

/**
 * The median of each function's runs, taken in turns: one warm-up round, then `rounds` rounds
 * that run each once. This machine's speed drifts from one second to the next (bare Piscina's
 * median of three took 175 ms in one bench and 261 ms in the next), so a baseline timed in a
 * block of its own, before the figure it is compared to, said more about the drift than about
 * weft. In turns, both meet the same drift.
 * @example const { bare, weft } = await timeInTurns({ bare: () => runBare(), weft: () => runWeft() });
 */
export async function timeInTurns<K extends string>(fns: Record<K, () => unknown | Promise<unknown>>, rounds = 5): Promise<Record<K, number>> {
  const names = Object.keys(fns) as K[];
  for (const name of names) await fns[name]();
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const start = performance.now();
      await fns[name]();
      samples[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<K, number>;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median of `repeat` timed runs after one warm-up (JIT, module caches, file cache). */
export async function time(fn: () => unknown | Promise<unknown>, repeat = 5): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/**
 * Run the named sections (all when `names` is empty) and write a table per section.
 * Returns false when a name matched no section.
 */
export async function runSections(names: string[], write: (text: string) => void): Promise<boolean> {
  const unknown = names.filter((n) => !sections.some((s) => s.name === n));
  if (unknown.length > 0) {
    write(`unknown section(s): ${unknown.join(', ')}; known: ${sections.map((s) => s.name).join(', ')}\n`);
    return false;
  }
  for (const section of sections.filter((s) => names.length === 0 || names.includes(s.name))) {
    const rows: Row[] = [];
    const lines: string[] = [];
    write(`\n## ${section.name}: ${section.description}\n\n`);
    await section.run({ time, timeInTurns, row: (r) => rows.push(r), line: (l) => lines.push(l) });
    write(formatRows(rows));
    for (const l of lines) write(`${l}\n`);
  }
  return true;
}

function formatRows(rows: Row[]): string {
  const cells = rows.map((r) => [r.label, `${(r.ms / r.baselineMs).toFixed(2)}x`, `${r.ms.toFixed(1)} ms`, r.note ?? '']);
  const head = ['figure', 'ratio', 'time', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 1 || i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(head), ...cells.map(line)].join('\n')}\n`;
}
