import { randomUUID } from 'node:crypto';
import { FakeInstances, withSessionWorker } from '@jit/test-support/fake-instances';
import { timeSkippingSuite } from '@jit/test-support/time-skipping';
import {
  SESSION_WORKFLOW,
  type SessionSettings,
  type SessionState,
  killSignal,
  restartUpdate,
  untilRunningUpdate,
} from './session.contract';

/**
 * The spec's defaults. Timers in the workflow pass in no time, but the test server does not skip
 * time while an activity runs, so the tests of a timeout that runs beside an activity (instance
 * ready, stream running, up-time during the watch) set it to a fraction of a second instead.
 */
const settings: SessionSettings = {
  instanceReadyTimeoutS: 120,
  sessionIdleTimeoutS: 120,
  sessionRunningTimeoutS: 120,
  pollIntervalS: 5,
  maxIdleS: 600,
  maxUpS: 14_400,
};

describe('session workflow (time-skipping)', () => {
  const suite = timeSkippingSuite();

  const withWorker = <T>(fake: FakeInstances, body: (taskQueue: string) => Promise<T>, endReasons?: string[]) =>
    withSessionWorker(suite.env, suite.bundle, fake, body, endReasons);

  const start = (taskQueue: string, overrides: Partial<SessionSettings> = {}) =>
    suite.env.client.workflow.start(SESSION_WORKFLOW, {
      taskQueue,
      workflowId: `session-${randomUUID()}`,
      args: [
        {
          sessionId: 'session-test',
          request: { inputs: [{ url: '/media/clip.mov' }], lowres: 1 },
          settings: { ...settings, ...overrides },
        },
      ],
    });

  it('starts: provisions, waits for the agent, runs the stream; DELETE (kill) stops it and releases the instance', async () => {
    const fake = new FakeInstances();
    const endReasons: string[] = [];
    const final = await withWorker(
      fake,
      async (taskQueue) => {
        const handle = await start(taskQueue);
        const running = await handle.executeUpdate(untilRunningUpdate);
        expect(running).toMatchObject({ phase: 'running', streamPort: 40_000, streamHost: '127.0.0.1', restarts: 0 });
        expect(fake.streams.get('session-test')).toEqual({ inputs: [{ url: '/media/clip.mov' }], options: { lowres: 1 } });
        await handle.signal(killSignal);
        return (await handle.result()) as SessionState;
      },
      endReasons,
    );
    expect(final).toMatchObject({ phase: 'ended', endReason: 'killed', failedStep: null, lastError: null });
    expect(fake.calls).toEqual([
      'provisionInstance',
      'waitInstanceReady',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'releaseInstance',
    ]);
    expect(fake.alive.size).toBe(0);
    expect(fake.streams.size).toBe(0);
    // Told to the worker once, for metrics and logs.
    expect(endReasons).toEqual(['killed']);
  });

  it('fails at the instance step when the agent is not ready within JIT_INSTANCE_READY_TIMEOUT, and releases the instance', async () => {
    const fake = new FakeInstances();
    fake.neverReady = true;
    const final = await withWorker(
      fake,
      async (taskQueue) => (await (await start(taskQueue, { instanceReadyTimeoutS: 0.3 })).result()) as SessionState,
    );
    expect(final).toMatchObject({ phase: 'failed', endReason: 'failed', failedStep: 'instance' });
    expect(final.lastError).toMatch(/timed? ?out|timeout/i);
    expect(fake.calls).not.toContain('startStream');
    expect(fake.alive.size).toBe(0);
  });

  it('bounds the whole stream start by JIT_SESSION_RUNNING_TIMEOUT, stops the started stream and releases', async () => {
    const fake = new FakeInstances();
    fake.neverRunning = true;
    const final = await withWorker(
      fake,
      async (taskQueue) => (await (await start(taskQueue, { sessionRunningTimeoutS: 0.3 })).result()) as SessionState,
    );
    expect(final).toMatchObject({
      phase: 'failed',
      failedStep: 'stream',
      lastError: 'the stream did not run within JIT_SESSION_RUNNING_TIMEOUT (0.3 s)',
    });
    expect(fake.calls.slice(-2)).toEqual(['stopStream', 'releaseInstance']);
    expect(fake.alive.size).toBe(0);
  });

  it('counts the start and the wait for running against one JIT_SESSION_RUNNING_TIMEOUT', async () => {
    const fake = new FakeInstances();
    // Each step alone is well within the timeout; together they are not.
    fake.startMs = 400;
    fake.runningMs = 400;
    const final = await withWorker(
      fake,
      async (taskQueue) => (await (await start(taskQueue, { sessionRunningTimeoutS: 0.6 })).result()) as SessionState,
    );
    expect(final).toMatchObject({
      phase: 'failed',
      failedStep: 'stream',
      lastError: 'the stream did not run within JIT_SESSION_RUNNING_TIMEOUT (0.6 s)',
    });
    expect(fake.alive.size).toBe(0);
  });

  it('a failing step (the JIT refuses its options) fails the session at that step and releases the instance', async () => {
    const fake = new FakeInstances();
    fake.startFails = 'the JIT refused its options: --lowres must be 0-3';
    const final = await withWorker(fake, async (taskQueue) => (await (await start(taskQueue)).result()) as SessionState);
    expect(final).toMatchObject({ phase: 'failed', failedStep: 'stream', lastError: 'the JIT refused its options: --lowres must be 0-3' });
    expect(fake.calls).not.toContain('stopStream');
    expect(fake.calls.at(-1)).toBe('releaseInstance');
    expect(fake.alive.size).toBe(0);
  });

  it('ends an idle session when the watch reports it idle', async () => {
    const fake = new FakeInstances();
    fake.watchOutcome = { reason: 'idle', idleSeconds: 600 };
    const final = await withWorker(fake, async (taskQueue) => (await (await start(taskQueue)).result()) as SessionState);
    expect(final).toMatchObject({ phase: 'ended', endReason: 'idle' });
    expect(fake.alive.size).toBe(0);
    expect(fake.streams.size).toBe(0);
  });

  it('ends a session at JIT_INSTANCE_AGENT_STATUS_POLL_MAX_UP_TIME, cancelling its watch', async () => {
    const fake = new FakeInstances();
    const final = await withWorker(fake, async (taskQueue) => (await (await start(taskQueue, { maxUpS: 0.5 })).result()) as SessionState);
    expect(final).toMatchObject({ phase: 'ended', endReason: 'max-uptime' });
    expect(new Date(final.timings.endedAt!).getTime() - new Date(final.timings.runningAt!).getTime()).toBeGreaterThanOrEqual(500);
    expect(fake.calls.slice(-3)).toEqual(['watchStream', 'stopStream', 'releaseInstance']);
    expect(fake.alive.size).toBe(0);
  });

  it('fails the session, saying so, when its JIT crashed', async () => {
    const fake = new FakeInstances();
    fake.watchOutcome = { reason: 'stream-exited', exitCode: 139 };
    const final = await withWorker(fake, async (taskQueue) => (await (await start(taskQueue)).result()) as SessionState);
    expect(final).toMatchObject({
      phase: 'failed',
      failedStep: 'watch',
      lastError: "the stream's JIT exited unexpectedly (exit code 139)",
    });
    expect(fake.alive.size).toBe(0);
  });

  it('restarts the stream with the new options merged, then ends on DELETE', async () => {
    const fake = new FakeInstances();
    const final = await withWorker(fake, async (taskQueue) => {
      const handle = await start(taskQueue);
      await handle.executeUpdate(untilRunningUpdate);
      const restarted = await handle.executeUpdate(restartUpdate, { args: [{ width: 640 }] });
      expect(restarted).toMatchObject({ phase: 'running', restarts: 1, streamPort: 40_001 });
      expect(fake.streams.get('session-test')?.options).toEqual({ lowres: 1, width: 640 });
      await handle.signal(killSignal);
      return (await handle.result()) as SessionState;
    });
    expect(final).toMatchObject({ phase: 'ended', endReason: 'killed', restarts: 1 });
    expect(fake.calls).toEqual([
      'provisionInstance',
      'waitInstanceReady',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'waitAgentIdle',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'releaseInstance',
    ]);
  });

  it('refuses a restart of a session that has ended', async () => {
    const fake = new FakeInstances();
    await withWorker(fake, async (taskQueue) => {
      const handle = await start(taskQueue);
      await handle.executeUpdate(untilRunningUpdate);
      await handle.signal(killSignal);
      await handle.result();
      await expect(handle.executeUpdate(restartUpdate, { args: [{}] })).rejects.toThrow();
    });
  });

  it('a cancelled workflow still stops its stream and releases its instance', async () => {
    const fake = new FakeInstances();
    const final = await withWorker(fake, async (taskQueue) => {
      const handle = await start(taskQueue);
      await handle.executeUpdate(untilRunningUpdate);
      await handle.cancel();
      return (await handle.result()) as SessionState;
    });
    expect(final).toMatchObject({ phase: 'ended', endReason: 'cancelled' });
    expect(fake.calls.slice(-2)).toEqual(['stopStream', 'releaseInstance']);
    expect(fake.alive.size).toBe(0);
  });
});
