// A call's env crosses to a worker thread as its difference from the pool's base env: the
// difference itself, and what a task sees through a real pool (added, changed and removed variables).
import { afterAll, describe, expect, it } from 'vitest';
import { envApplier, envDelta, envDeltas } from '../engine/pool/env-delta.js';
import { createExecutorPool } from '../engine/pool/local.js';
import { builtinEntry, callContext } from './plugins/helpers.js';

describe('envDelta', () => {
  it('names what is added, changed and left out, and nothing for the same variables', () => {
    expect(envDelta({ A: '1', B: '2', C: '3' }, { A: '1', B: 'two', D: '4' })).toEqual({ set: { B: 'two', D: '4' }, unset: ['C'] });
    expect(envDelta({ A: '1' }, { A: '1' })).toBeUndefined();
  });

  it('computes a delta once per env object, with an id of its own, and none for the base itself', () => {
    const base = { A: '1' };
    const deltaOf = envDeltas(base);
    const one = { A: '1', B: '2' };
    const two = { A: '2' };
    expect(deltaOf(base)).toBeUndefined();
    expect(deltaOf({ A: '1' })).toBeUndefined();
    expect(deltaOf(one)).toBe(deltaOf(one));
    expect(deltaOf(one)!.id).not.toBe(deltaOf(two)!.id);
  });

  it('rebuilds the env a delta stands for, frozen, once per id', () => {
    const base = { A: '1', B: '2' };
    const envOf = envApplier({ ...base });
    const delta = { id: 1, set: { C: '3' }, unset: ['A'] };
    const env = envOf(delta);
    expect(env).toEqual({ B: '2', C: '3' });
    expect(envOf({ ...delta })).toBe(env);
    expect(Object.isFrozen(env)).toBe(true);
    expect(envOf(undefined)).toEqual(base);
  });
});

describe('env through a real pool', () => {
  const pool = createExecutorPool({ workers: 1, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KEPT: 'base', GONE: 'base' } });
  afterAll(() => pool.destroy());

  it('a task sees its own env: variables added and changed, and none the pool had that it left out', async () => {
    const shell = await builtinEntry('shell');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', KEPT: 'changed', ADDED: 'new' };
    const command = 'echo "$KEPT/$ADDED/${GONE-unset}"';
    const out = (await pool.run(shell, { command }, callContext({ env }))) as { stdout: string };
    expect(out.stdout.trim()).toBe('changed/new/unset');
    // The same env object again, then the pool's own variables: each call sees its env, not the last one's.
    const again = (await pool.run(shell, { command }, callContext({ env }))) as { stdout: string };
    expect(again.stdout.trim()).toBe('changed/new/unset');
    const base = (await pool.run(shell, { command }, callContext({ env: { PATH: env.PATH, KEPT: 'base', GONE: 'base' } }))) as { stdout: string };
    expect(base.stdout.trim()).toBe('base//base');
  });
});
