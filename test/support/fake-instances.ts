/**
 * A provider and an agent in memory, as session activities for a worker on the time-skipping test
 * environment: what happened to instances and streams is recorded for assertions, and each step
 * can be told to misbehave. The real activities are tested against real agents end to end.
 */
import { randomUUID } from 'node:crypto';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { SessionActivityApi, WatchOutcome } from '@jit/activities';
import type { Instance } from '@jit/providers';
import type { StreamSpec } from '@jit/sessions';

export class FakeInstances {
  readonly calls: string[] = [];
  readonly alive = new Set<string>();
  readonly streams = new Map<string, StreamSpec>();
  /** Set to make a step misbehave. */
  neverReady = false;
  neverRunning = false;
  startFails: string | undefined;
  /** Real time the start and the wait for running take (ms). */
  startMs = 0;
  runningMs = 0;
  /** What the watch reports at once; undefined: it watches until the workflow cancels it. */
  watchOutcome: WatchOutcome | undefined;
  private nextPort = 40_000;

  activities(): SessionActivityApi {
    const log = (name: string) => this.calls.push(name);
    /** A wait on an agent that never answers: completed asynchronously (never, here), so only its timeout ends it. */
    const waitForever = async (): Promise<never> => {
      throw new CompleteAsyncError();
    };
    /** The watch of a stream that stays busy: heartbeats until the workflow cancels it. */
    const watchBusy = async (): Promise<never> => {
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(50);
      }
    };
    return {
      provisionInstance: async (sessionId) => {
        log('provisionInstance');
        const instance: Instance = {
          id: `fake-${sessionId}`,
          provider: 'fake',
          agentUrl: 'http://127.0.0.1:1',
          streamHost: '127.0.0.1',
          details: {},
        };
        this.alive.add(instance.id);
        return instance;
      },
      waitInstanceReady: async () => {
        log('waitInstanceReady');
        if (this.neverReady) await waitForever();
      },
      startStream: async (_instance, streamId, spec) => {
        log('startStream');
        await new Promise((resolve) => setTimeout(resolve, this.startMs));
        if (this.startFails) throw new Error(this.startFails);
        this.streams.set(streamId, spec);
        return { port: this.nextPort++ };
      },
      waitStreamRunning: async () => {
        log('waitStreamRunning');
        await new Promise((resolve) => setTimeout(resolve, this.runningMs));
        if (this.neverRunning) await waitForever();
      },
      watchStream: async () => {
        log('watchStream');
        if (this.watchOutcome) return this.watchOutcome;
        return watchBusy();
      },
      stopStream: async (_instance, streamId) => {
        log('stopStream');
        this.streams.delete(streamId);
      },
      waitAgentIdle: async () => {
        log('waitAgentIdle');
      },
      releaseInstance: async (instance) => {
        log('releaseInstance');
        this.alive.delete(instance.id);
      },
    };
  }
}

/** Runs `body` with a worker on a fresh task queue serving the workflows with `fake`'s activities. */
export async function withSessionWorker<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  fake: FakeInstances,
  body: (taskQueue: string) => Promise<T>,
  endReasons: string[] = [],
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const ignore = { fn: () => undefined };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fake.activities(),
    sinks: {
      sessionEvents: {
        started: ignore,
        instanceReady: ignore,
        running: ignore,
        restarted: ignore,
        ended: { fn: (_info, reason: string) => void endReasons.push(reason) },
      },
    },
  });
  return worker.runUntil(body(taskQueue));
}
