import { randomUUID } from 'node:crypto';
import { parseOrchestratorConfig } from '@jit/config';
import { DomainError, HTTP_STATUS } from '@jit/errors';
import { viewerToken } from '@jit/security';
import { FakeInstances, withSessionWorker } from '@jit/test-support/fake-instances';
import { timeSkippingSuite } from '@jit/test-support/time-skipping';
import { IceServers } from '../turn/ice-servers.service';
import { SessionsService } from './sessions.service';

const SECRET = 'unit-test-secret';

/** The HTTP status and message the API answers with for what `promise` threw. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ status: 0, message: 'resolved' }),
    (error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
      return { status: HTTP_STATUS[error.kind], message: error.message };
    },
  );

// The test server has no visibility (no list of workflows), so a full capacity, which asks for the
// running sessions, is tested end to end (test/faults/capacity.e2e.ts), and the ledger itself in
// workflows/src/capacity.workflow.spec.ts.
describe('SessionsService on the real workflows (time-skipping server, activities in memory)', () => {
  const suite = timeSkippingSuite();

  function service(taskQueue: string, env_: Record<string, string> = {}): SessionsService {
    const config = parseOrchestratorConfig([], { JIT_CAPACITY: '2', ...env_ });
    return new SessionsService(suite.env.client, { taskQueue }, config, new IceServers(config, null), SECRET);
  }

  it('creates a running session whose jitUrl carries its viewer token, shows it, and ends it', async () => {
    const fake = new FakeInstances();
    await withSessionWorker(suite.env, suite.bundle, fake, async (taskQueue) => {
      const sessions = service(taskQueue, { JIT_PUBLIC_IP: 'jit.example.com' });
      const created = await sessions.create({ inputs: [{ url: '/media/a.mov' }] }, true);
      expect(created).toMatchObject({ state: 'running', restarts: 0, lastError: null, instance: { provider: 'fake' } });
      expect(created.jitUrl).toBe(`http://jit.example.com:40000/whep?token=${viewerToken(SECRET, created.sessionId)}`);
      expect(await sessions.get(created.sessionId)).toMatchObject({ sessionId: created.sessionId, state: 'running' });

      const ended = await sessions.end(created.sessionId);
      expect(ended).toMatchObject({ state: 'ended', endReason: 'killed', jitUrl: null, iceServers: [] });
      expect(fake.alive.size).toBe(0);
    });
  });

  it('answers 404 for an unknown session on get, restart and end', async () => {
    await withSessionWorker(suite.env, suite.bundle, new FakeInstances(), async (taskQueue) => {
      const sessions = service(taskQueue);
      const id = `session-${randomUUID()}`;
      for (const call of [sessions.get(id), sessions.restart(id, {}), sessions.end(id)]) {
        expect(await refusal(call)).toEqual({ status: 404, message: `no session ${id}` });
      }
    });
  });

  it('restarts with new options and answers the running session', async () => {
    const fake = new FakeInstances();
    await withSessionWorker(suite.env, suite.bundle, fake, async (taskQueue) => {
      const sessions = service(taskQueue);
      const { sessionId } = await sessions.create({ inputs: [{ url: '/media/a.mov' }], lowres: 1 }, true);
      const restarted = await sessions.restart(sessionId, { lowres: 2 });
      expect(restarted).toMatchObject({ state: 'running', restarts: 1 });
      expect(fake.streams.get(sessionId)?.options).toEqual({ lowres: 2 });
      await sessions.end(sessionId);
    });
  });

  it('a session whose stream start fails answers the failure and gives its slot back', async () => {
    const fake = new FakeInstances();
    fake.startFails = 'the JIT refused its inputs: /media/missing.mov: No such file or directory';
    await withSessionWorker(suite.env, suite.bundle, fake, async (taskQueue) => {
      const sessions = service(taskQueue, { JIT_CAPACITY: '1' });
      const failed = await sessions.create({ inputs: [{ url: '/media/missing.mov' }] }, true);
      expect(failed).toMatchObject({ state: 'failed', failedStep: 'stream', lastError: fake.startFails, jitUrl: null });
      fake.startFails = undefined;
      // Its workflow completes once the ledger has its slot back.
      await suite.env.client.workflow.getHandle(failed.sessionId).result();
      expect((await sessions.create({ inputs: [{ url: '/media/a.mov' }] }, true)).state).toBe('running');
    });
  });
});
