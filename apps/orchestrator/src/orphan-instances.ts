import type { Client } from '@temporalio/client';
import type { InstanceProvider, RunningSession } from '@jit/providers';
import { RUNNING_SESSIONS_QUERY, stateQuery } from '@jit/workflows/session.contract';

/**
 * At start-up, once the worker runs: the provider's orphan cleanup (releaseOrphans, where it has
 * one) with the instances the running sessions hold, read from their workflows. A session whose
 * state cannot be read makes the whole cleanup stop: an instance is never ended on a guess.
 */
export async function releaseOrphanedInstances(provider: InstanceProvider, client: Client): Promise<void> {
  if (!provider.releaseOrphans) return;
  const listedAt = new Date();
  const running: RunningSession[] = [];
  for await (const execution of client.workflow.list({ query: RUNNING_SESSIONS_QUERY })) {
    const state = await client.workflow.getHandle(execution.workflowId).query(stateQuery);
    running.push({ sessionId: state.sessionId, instanceId: state.instance?.id ?? null });
  }
  await provider.releaseOrphans(running, listedAt);
}
