import { defineSignal, defineUpdate } from '@temporalio/workflow';

export const CAPACITY_WORKFLOW = 'capacityWorkflow';

/** One capacity ledger per task queue: every orchestrator replica serving it admits through the same one. */
export const capacityWorkflowId = (taskQueue: string) => `jit-capacity-${taskQueue}`;

export interface AcquireInput {
  sessionId: string;
  /** JIT_CAPACITY of the replica asking. */
  capacity: number;
  /**
   * Sessions known to be running (from Temporal's visibility), when the asker had to look: holders
   * missing from it are let go, unless they took their slot within the grace period (their
   * workflow may not have started or become visible yet).
   */
  alive?: string[];
}

export interface AcquireResult {
  granted: boolean;
  /** Slots held after this request. */
  held: number;
}

/** Takes a slot for a session about to start, or says that all are taken. */
export const acquireUpdate = defineUpdate<AcquireResult, [AcquireInput]>('acquire');
/** Frees a session's slot (sent by the session workflow when it ends, or by the API when it could not start it). */
export const releaseSignal = defineSignal<[string]>('release');

/** What continue-as-new carries over: session id → when it took its slot (ms since epoch, workflow time). */
export interface CapacityLedger {
  holders: Record<string, number>;
}
