/**
 * The Temporal development server the orchestrator runs on: a real server (scripts/temporal-dev.sh,
 * SQLite in a temporary folder, or TEMPORAL_ADDRESS), a real Worker that bundles a workflow and
 * runs an activity, the history it leaves, and that history surviving a server restart.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { ensureTemporal, restartTemporal, type TemporalServer } from '../support/temporal';
import type { EchoActivities } from './fixtures/echo-workflow';

jest.setTimeout(60_000);

// The worker's core logs at INFO by default; warnings are enough here. Installed once per
// process (a second install throws), so an earlier test file may already have done it.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed
}

let server: TemporalServer;
const connections: Array<{ close(): Promise<void> }> = [];

async function clientFor(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  connections.push(connection);
  return new Client({ connection, namespace });
}

beforeAll(async () => {
  // A first run on a new machine installs the temporal CLI (pip) before starting it.
  server = await ensureTemporal({ namespace: 'jit-infra-test' });
}, 150_000);

afterAll(async () => {
  for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
  await server?.stop();
});

describe('Temporal development server', () => {
  const workflowId = `echo-${randomUUID()}`;
  const taskQueue = `jit-infra-${randomUUID()}`;

  it('runs a workflow with one activity on a Worker and records ActivityTaskCompleted in its history', async () => {
    const activities: EchoActivities = {
      shout: async (text) => ({ text: text.toUpperCase(), pid: process.pid }),
    };
    const workerConnection = await NativeConnection.connect({ address: server.address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: server.namespace,
        taskQueue,
        workflowsPath: require.resolve('./fixtures/echo-workflow'),
        activities,
      });
      const client = await clientFor(server.address, server.namespace);
      const result = await worker.runUntil(
        client.workflow.execute('echoWorkflow', { workflowId, taskQueue, args: ['hello jit'], workflowExecutionTimeout: '30 seconds' }),
      );
      expect(result).toBe(`HELLO JIT (activity in pid ${process.pid})`);

      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const events = history.events ?? [];
      const completed = events.filter((e) => e.activityTaskCompletedEventAttributes);
      expect(completed).toHaveLength(1);
      expect(events.some((e) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    } finally {
      await workerConnection.close();
    }
  });

  it('keeps the completed workflow across a server restart (same SQLite file)', async () => {
    if (!server.owned) {
      console.warn('TEMPORAL_ADDRESS is set: the restart is not tested against a server the tests did not start');
      return;
    }
    const before = await (await clientFor(server.address, server.namespace)).workflow.getHandle(workflowId).describe();
    expect(before.status.name).toBe('COMPLETED');

    const t0 = Date.now();
    await restartTemporal(server);
    const restartMs = Date.now() - t0;

    // A new connection: the old one would reconnect by itself, but this proves a fresh client
    // finds the workflow in the restarted server's store.
    const after = await (await clientFor(server.address, server.namespace)).workflow.getHandle(workflowId).describe();
    expect(after.status.name).toBe('COMPLETED');
    expect(after.runId).toBe(before.runId);
    expect(after.closeTime?.getTime()).toBe(before.closeTime?.getTime());
    const history = await (await clientFor(server.address, server.namespace)).workflow.getHandle(workflowId).fetchHistory();
    expect((history.events ?? []).some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
    console.log(`Temporal dev server restarted in ${restartMs} ms (${server.dbFile})`);
  });
});
