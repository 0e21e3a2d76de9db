import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { timeSkippingSuite } from '@jit/test-support/time-skipping';
import { type AcquireInput, CAPACITY_WORKFLOW, acquireUpdate, releaseSignal } from './capacity.contract';

describe('capacity ledger (time-skipping)', () => {
  const suite = timeSkippingSuite();

  async function withLedger(
    body: (ledger: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>) => Promise<void>,
  ): Promise<void> {
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({ connection: suite.env.nativeConnection, taskQueue, workflowBundle: suite.bundle });
    await worker.runUntil(async () => {
      const ledger = await suite.env.client.workflow.start(CAPACITY_WORKFLOW, {
        taskQueue,
        workflowId: `capacity-${randomUUID()}`,
        args: [],
      });
      await body(ledger);
      await ledger.terminate();
    });
  }

  it('admits up to the capacity, refuses beyond it, and admits again once a slot is released', async () => {
    await withLedger(async (ledger) => {
      const acquire = (sessionId: string) => ledger.executeUpdate(acquireUpdate, { args: [{ sessionId, capacity: 2 }] });
      expect(await acquire('a')).toEqual({ granted: true, held: 1 });
      expect(await acquire('b')).toEqual({ granted: true, held: 2 });
      expect(await acquire('a')).toEqual({ granted: true, held: 2 });
      expect(await acquire('c')).toEqual({ granted: false, held: 2 });
      await ledger.signal(releaseSignal, 'a');
      expect(await acquire('c')).toEqual({ granted: true, held: 2 });
    });
  });

  it('reclaims slots of sessions no longer running, but only after their grace period', async () => {
    await withLedger(async (ledger) => {
      const acquire = (sessionId: string, alive?: string[]) =>
        ledger.executeUpdate(acquireUpdate, { args: [{ sessionId, capacity: 1, alive }] });
      expect(await acquire('gone')).toMatchObject({ granted: true });
      // Not visible as running yet, but just admitted: kept.
      expect(await acquire('next', [])).toEqual({ granted: false, held: 1 });
      await suite.env.sleep('61s');
      expect(await acquire('next', [])).toEqual({ granted: true, held: 1 });
    });
  });

  it('refuses a malformed admission without touching the ledger', async () => {
    await withLedger(async (ledger) => {
      const refusal = (input: AcquireInput) =>
        ledger.executeUpdate(acquireUpdate, { args: [input] }).then(
          () => 'admitted',
          (error: { cause?: { message?: string } }) => error.cause?.message,
        );
      expect(await refusal({ sessionId: '', capacity: 1 })).toBe('sessionId is required');
      expect(await refusal({ sessionId: 'a', capacity: 0 })).toBe('capacity must be a positive integer');
      expect(await ledger.executeUpdate(acquireUpdate, { args: [{ sessionId: 'a', capacity: 1 }] })).toEqual({ granted: true, held: 1 });
    });
  });
});
