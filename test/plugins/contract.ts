// The contract every executor keeps, written once and run against each:
// through the real pool, abort stops it, a timeout reason is TASK_TIMEOUT, errors keep code
// and retryable across the thread, the schema refuses unknown keys, and the pool closes cleanly.
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError, isWeftError, type WeftErrorCode } from '../../engine/errors.js';
import type { ExecutorEntry } from '../../engine/executor.js';
import { createExecutorPool, type ExecutorPool } from '../../engine/pool/local.js';
import { builtinEntry, callContext, type CallContext } from './helpers.js';

/** The calls a case provides, made ready by its `setup` (a server started, a folder made). */
export type ContractFixture = {
  /** Overrides for the call context (root, env, options). */
  ctx?: Partial<CallContext>;
  /** A call that succeeds; `check` looks at its output. */
  ok: { with: Record<string, unknown>; check(output: unknown): void };
  /** A call that fails, and how. */
  failing: { with: Record<string, unknown>; code: WeftErrorCode; retryable: boolean };
  /** A call that runs until it is aborted. Omit only for an executor with nothing to wait on. */
  slow?: { with: Record<string, unknown> };
  /** Resolves once the slow call is really running (its process started, its request arrived). */
  started?(): Promise<void>;
  /** Called after the slow call was aborted: proves nothing it started is left (a process, a socket). */
  afterAbort?(): Promise<void>;
  teardown?(): Promise<void>;
};

export type ContractCase = { executor: string; setup(): Promise<ContractFixture> };

// Long enough that only the executor's own reaction to its signal can end an aborted call
// within the test timeout: the pool's hard stop (thread termination) would come far too late.
const cooperativeGraceMs = 120_000;

/**
 * Run the contract for each case.
 * @example describeExecutorContract([{ executor: 'shell', async setup() { return { ok, failing, slow } } }])
 */
export function describeExecutorContract(cases: ContractCase[]): void {
  for (const contractCase of cases) {
    describe(`executor contract: ${contractCase.executor}`, () => {
      let entry: ExecutorEntry;
      let fixture: ContractFixture;
      let pool: ExecutorPool;
      const ctx = () => callContext(fixture.ctx);

      beforeAll(async () => {
        entry = await builtinEntry(contractCase.executor);
        fixture = await contractCase.setup();
        pool = createExecutorPool({ workers: 1, graceMs: cooperativeGraceMs });
      });
      afterAll(async () => {
        await pool?.destroy();
        await fixture?.teardown?.();
      });

      it('runs a call in a worker and returns its output', async () => {
        fixture.ok.check(await pool.run(entry, fixture.ok.with, ctx()));
      });

      it('fails with a WeftError whose code and retryable survived the thread', async () => {
        const error = await pool.run(entry, fixture.failing.with, ctx()).then(
          () => expect.unreachable('the call should fail'),
          (e: unknown) => e,
        );
        expect(isWeftError(error)).toBe(true);
        expect(error).toMatchObject({ code: fixture.failing.code, retryable: fixture.failing.retryable });
      });

      it('rejects an already aborted call with TASK_CANCELLED without running it', async () => {
        const controller = new AbortController();
        controller.abort();
        await expect(pool.run(entry, fixture.ok.with, ctx(), { signal: controller.signal })).rejects.toMatchObject({
          code: 'TASK_CANCELLED',
        });
      });

      it('stops a running call when its signal aborts (TASK_CANCELLED)', async (test) => {
        if (!fixture.slow) return test.skip();
        const controller = new AbortController();
        const call = pool.run(entry, fixture.slow.with, ctx(), { signal: controller.signal });
        await whenStarted(fixture);
        controller.abort();
        await expect(call).rejects.toMatchObject({ code: 'TASK_CANCELLED', retryable: false });
        await fixture.afterAbort?.();
      });

      it('turns a timeout reason into TASK_TIMEOUT, retryable', async (test) => {
        if (!fixture.slow) return test.skip();
        const controller = new AbortController();
        const call = pool.run(entry, fixture.slow.with, ctx(), { signal: controller.signal });
        await whenStarted(fixture);
        controller.abort(new WeftError('TASK_TIMEOUT', 'timed out after 300ms', { retryable: true }));
        await expect(call).rejects.toMatchObject({ code: 'TASK_TIMEOUT', retryable: true, message: 'timed out after 300ms' });
        await fixture.afterAbort?.();
      });

      it('publishes a complete JSON Schema for `with` that refuses unknown keys', () => {
        const schema = entry.executor.schema;
        expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
        const properties = schema.properties as Record<string, { description?: unknown }>;
        for (const [key, property] of Object.entries(properties)) {
          expect(typeof property.description, `with.${key} has a description`).toBe('string');
        }
        const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
        for (const w of [fixture.ok.with, fixture.failing.with, fixture.slow?.with].filter(Boolean)) {
          expect(validate(w), JSON.stringify(validate.errors)).toBe(true);
        }
        expect(validate({ ...fixture.ok.with, notAKey: 1 })).toBe(false);
        expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'notAKey' } }));
      });

      it('closes cleanly: destroy cancels what runs, then refuses new calls', async () => {
        const own = createExecutorPool({ workers: 1, graceMs: cooperativeGraceMs });
        const running = fixture.slow ? own.run(entry, fixture.slow.with, ctx()) : undefined;
        const settled = running?.then(
          () => 'resolved',
          (e: WeftError) => e.code,
        );
        // Let the call reach the worker before closing, so the cancellation path is the one tested.
        if (running) await whenStarted(fixture);
        await own.destroy();
        if (settled) expect(await settled).toBe('TASK_CANCELLED');
        await expect(own.run(entry, fixture.ok.with, ctx())).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
        if (running) await fixture.afterAbort?.();
      });
    });
  }
}

function whenStarted(fixture: ContractFixture): Promise<void> {
  // A fixture whose slow call cannot say when it started is aborted at once, which it must survive too.
  return fixture.started ? fixture.started() : Promise.resolve();
}

export { waitFor } from '../support/wait.js';
