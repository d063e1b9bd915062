// Store: why `.weft/weft.db` is SQLite (engine/store/store.ts). 10,000 fingerprint records
// written one durable commit each, then 10,000 look-ups, against the two file designs measured in
// the same process: one atomic file per record (write, fsync, rename) and an fsync'd append-only
// log (a look-up reads the whole log into a map). Concurrent writers and kill -9 are covered by
// test/store/store.test.ts.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFingerprint, writeFingerprint } from '../engine/store/fingerprints.js';
import { openStore } from '../engine/store/store.js';
import { registerSection } from './harness.js';

const COUNT = 10_000;
const record = (i: number) => ({
  fingerprint: createHash('sha256').update(String(i)).digest('hex'),
  output: { exitCode: 0, stdout: `compiled t${i}\n`, stderr: '' },
  generates: { [`out/t${i}.o`]: createHash('sha256').update(`o${i}`).digest('hex') },
});

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function sqlite(dir: string, perCommit = 1): { write: number; read: number } {
  const store = openStore(dir);
  try {
    const write = timed(() => {
      for (let i = 0; i < COUNT; i += perCommit) {
        store.db.transaction(() => {
          for (let k = i; k < i + perCommit; k++) writeFingerprint(store, 'p.yaml', `t${k}`, record(k));
        })();
      }
    });
    const read = timed(() => {
      for (let i = 0; i < COUNT; i++) if (!readFingerprint(store, 'p.yaml', `t${i}`)) throw new Error('lost');
    });
    return { write, read };
  } finally {
    store.close();
  }
}

function atomicFiles(dir: string): { write: number; read: number } {
  mkdirSync(path.join(dir, 'fp'));
  const file = (i: number) => path.join(dir, 'fp', `t${i}.json`);
  const write = timed(() => {
    for (let i = 0; i < COUNT; i++) {
      const temp = `${file(i)}.tmp`;
      const fd = openSync(temp, 'w');
      writeSync(fd, JSON.stringify(record(i)));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, file(i));
    }
  });
  const read = timed(() => {
    for (let i = 0; i < COUNT; i++) JSON.parse(readFileSync(file(i), 'utf8'));
  });
  return { write, read };
}

function appendLog(dir: string): { write: number; read: number } {
  const log = path.join(dir, 'fp.log');
  const write = timed(() => {
    const fd = openSync(log, 'a');
    for (let i = 0; i < COUNT; i++) {
      writeSync(fd, `${JSON.stringify({ task: `t${i}`, ...record(i) })}\n`);
      fsyncSync(fd);
    }
    closeSync(fd);
  });
  const read = timed(() => {
    const byTask = new Map<string, unknown>();
    for (const line of readFileSync(log, 'utf8').split('\n')) if (line) byTask.set((JSON.parse(line) as { task: string }).task, line);
    for (let i = 0; i < COUNT; i++) if (!byTask.has(`t${i}`)) throw new Error('lost');
  });
  return { write, read };
}

registerSection({
  name: 'store',
  description: '10,000 durable fingerprint writes and 10,000 look-ups: SQLite (the store) vs atomic files (baseline) vs an append-only log',
  async run(ctx) {
    const measure = (fn: (dir: string) => { write: number; read: number }) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-store-'));
      try {
        return fn(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const files = measure(atomicFiles);
    const db = measure(sqlite);
    const log = measure(appendLog);
    const grouped = measure((dir) => sqlite(dir, 100));
    ctx.row({ label: 'sqlite: 10k writes (WAL, fsync each)', ms: db.write, baselineMs: files.write, note: 'vs atomic files' });
    ctx.row({ label: 'sqlite: 10k writes, 100 per commit', ms: grouped.write, baselineMs: files.write, note: 'task ends that come together share a commit' });
    ctx.row({ label: 'append log: 10k writes (fsync each)', ms: log.write, baselineMs: files.write, note: 'vs atomic files' });
    ctx.row({ label: 'sqlite: 10k look-ups', ms: db.read, baselineMs: files.read, note: 'vs atomic files' });
    ctx.row({ label: 'append log: load + 10k look-ups', ms: log.read, baselineMs: files.read, note: 'vs atomic files (no compaction, no locking)' });
    ctx.line(`atomic files: ${files.write.toFixed(0)} ms to write, ${files.read.toFixed(0)} ms to look up`);
  },
});
