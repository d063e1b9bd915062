import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileHashes, writeFileHashes } from '../../engine/store/file-hashes.js';
import { readFingerprint, writeFingerprint, forgetFingerprint } from '../../engine/store/fingerprints.js';
import { beginRun, endRun, journaledRun, runsOf } from '../../engine/store/journal.js';
import { openStore } from '../../engine/store/store.js';
import { makeTempDir } from '../support/project.js';

const storeModule = path.resolve('dist/engine/store/store.js');
const journalModule = path.resolve('dist/engine/store/journal.js');

/** A child node process that journals `count` task ends of run `runId` into the store at `root`. */
function spawnWriter(root: string, runId: string, count: number) {
  const code = `
    const { openStore } = await import(${JSON.stringify(storeModule)});
    const { beginRun, recordTaskEnds } = await import(${JSON.stringify(journalModule)});
    const store = openStore(${JSON.stringify(root)});
    beginRun(store, { runId: ${JSON.stringify(runId)}, file: 'p.yaml', pipeline: 'p', hash: 'h', inputsHash: 'i', startedAt: Date.now(), pid: process.pid });
    for (let i = 0; i < ${count}; i++) {
      recordTaskEnds(store, ${JSON.stringify(runId)}, [{ id: 't' + i, result: { status: 'success', attempts: 1, startedAt: 0, endedAt: 0, durationMs: 0, output: i } }]);
      if (i === 50) process.stdout.write('ready\\n');
    }
    process.stdout.write('done\\n');
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('the store', () => {
  it('gives back the kept hashes of the files asked for, one or many at once, and nothing for the rest', () => {
    const store = openStore(makeTempDir());
    try {
      const names = ['src/a.c', "src/it's [odd] \"name\".c", 'include/x.h'];
      writeFileHashes(store, names.map((file, i) => [file, { sig: `s${i}`, hash: `h${i}` }]));
      expect(readFileHashes(store, [...names, 'src/none.c'])).toEqual(
        new Map(names.map((file, i) => [file, { sig: `s${i}`, hash: `h${i}` }])),
      );
      expect(readFileHashes(store, ['include/x.h'])).toEqual(new Map([['include/x.h', { sig: 's2', hash: 'h2' }]]));
      expect(readFileHashes(store, ['src/none.c']).size).toBe(0);
      expect(readFileHashes(store, []).size).toBe(0);
    } finally {
      store.close();
    }
  });

  it('keeps a fingerprint per pipeline file and task, and forgets it on request', () => {
    const store = openStore(makeTempDir());
    try {
      expect(readFingerprint(store, 'a.yaml', 'build')).toBeUndefined();
      writeFingerprint(store, 'a.yaml', 'build', { fingerprint: 'f1', output: { stdout: 'x' }, generates: { 'out/x': 'h' } });
      writeFingerprint(store, 'b.yaml', 'build', { fingerprint: 'f2', output: null, generates: {} });
      expect(readFingerprint(store, 'a.yaml', 'build')).toEqual({ fingerprint: 'f1', output: { stdout: 'x' }, generates: { 'out/x': 'h' } });
      expect(readFingerprint(store, 'b.yaml', 'build')?.fingerprint).toBe('f2');
      forgetFingerprint(store, 'a.yaml', 'build');
      expect(readFingerprint(store, 'a.yaml', 'build')).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('lists runs by file and name, so two files sharing a name never see each other', () => {
    const store = openStore(makeTempDir());
    try {
      const head = { hash: 'h', inputsHash: 'i', pid: process.pid, pipeline: 'build' };
      beginRun(store, { ...head, runId: 'r1', file: 'one.yaml', startedAt: 1 });
      beginRun(store, { ...head, runId: 'r2', file: 'two.yaml', startedAt: 2 });
      expect(runsOf(store, 'one.yaml', 'build').map((r) => r.runId)).toEqual(['r1']);
      expect(runsOf(store, 'two.yaml', 'build').map((r) => r.runId)).toEqual(['r2']);
      endRun(store, 'r1', 'success', 5);
      expect(journaledRun(store, 'r1')).toMatchObject({ endedAt: 5, status: 'success', tasks: {} });
    } finally {
      store.close();
    }
  });

  it('takes two processes journaling at once without losing a row', async () => {
    const root = makeTempDir();
    const writers = [spawnWriter(root, 'a', 500), spawnWriter(root, 'b', 500)];
    const codes = await Promise.all(writers.map(async (w) => (await once(w, 'exit'))[0]));
    expect(codes).toEqual([0, 0]);
    const store = openStore(root);
    try {
      expect(Object.keys(journaledRun(store, 'a')!.tasks)).toHaveLength(500);
      expect(Object.keys(journaledRun(store, 'b')!.tasks)).toHaveLength(500);
    } finally {
      store.close();
    }
  });

  it('survives a writer killed with SIGKILL mid-way: every committed row readable, the file intact', async () => {
    const root = makeTempDir();
    const writer = spawnWriter(root, 'k', 100_000);
    let seen = '';
    writer.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await new Promise<void>((resolve) => writer.stdout.on('data', () => seen.includes('ready') && resolve()));
    writer.kill('SIGKILL');
    await once(writer, 'exit');
    expect(seen).not.toContain('done');
    const store = openStore(root);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const tasks = journaledRun(store, 'k')!.tasks;
      const n = Object.keys(tasks).length;
      expect(n).toBeGreaterThan(50);
      expect(n).toBeLessThan(100_000);
      // Rows are whole: no torn record among them.
      for (let i = 0; i < n; i++) expect(tasks[`t${i}`]).toMatchObject({ status: 'success', output: i });
    } finally {
      store.close();
    }
  });
});
