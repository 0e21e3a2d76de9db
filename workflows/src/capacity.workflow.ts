import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { type AcquireInput, type CapacityLedger, acquireUpdate, releaseSignal } from './capacity.contract';

/** How long a fresh slot is kept even when its session is not seen running yet. */
const GRACE_MS = 60_000;

/** Beyond this many events the ledger starts a new run (each admission costs about five). */
const MAX_HISTORY = 2_000;

/**
 * The JIT_CAPACITY ledger: admissions are updates of this one workflow, which Temporal applies one
 * after another, so replicas of the orchestrator can never admit more sessions together than the
 * capacity allows. Sessions give their slot back when they end (a signal); a slot whose session
 * ended without saying so (terminated by hand) is reclaimed when an asker passes the running set.
 */
export async function capacityWorkflow(ledger: CapacityLedger = { holders: {} }): Promise<void> {
  const holders = new Map(Object.entries(ledger.holders));

  setHandler(
    acquireUpdate,
    ({ sessionId, capacity, alive }: AcquireInput) => {
      if (alive) {
        const living = new Set(alive);
        const settled = Date.now() - GRACE_MS;
        for (const [id, since] of holders) if (!living.has(id) && since < settled) holders.delete(id);
      }
      if (!holders.has(sessionId)) {
        if (holders.size >= capacity) return { granted: false, held: holders.size };
        holders.set(sessionId, Date.now());
      }
      return { granted: true, held: holders.size };
    },
    {
      validator: ({ sessionId, capacity, alive }: AcquireInput) => {
        if (typeof sessionId !== 'string' || sessionId.length === 0) throw new Error('sessionId is required');
        if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
        if (alive !== undefined && !Array.isArray(alive)) throw new Error('alive must be a list of session ids');
      },
    },
  );
  setHandler(releaseSignal, (sessionId: string) => {
    holders.delete(sessionId);
  });

  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY);
  await condition(allHandlersFinished);
  await continueAsNew<typeof capacityWorkflow>({ holders: Object.fromEntries(holders) });
}
