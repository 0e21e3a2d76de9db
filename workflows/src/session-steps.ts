import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { SessionActivityApi } from '@jit/activities';
import type { Instance } from '@jit/providers';
import type { StreamSpec } from '@jit/sessions';
import type { SessionSettings } from './session.contract';

/** Waits heartbeat; a worker that dies mid-wait is noticed within this and the wait fails. */
const WAIT_HEARTBEAT = '15s';

const stepTimedOut = (message: string) => ApplicationFailure.nonRetryable(message, 'StepTimeout');

/** A rethrow that names the setting when an activity ran out of its time (Temporal's own message is empty). */
const timeoutSaid =
  (message: string) =>
  (error: unknown): never => {
    throw error instanceof ActivityFailure && error.cause instanceof TimeoutFailure ? stepTimedOut(message) : error;
  };

/**
 * The session's activities with the spec's timeouts: JIT_INSTANCE_READY_TIMEOUT for the agent to
 * answer, JIT_SESSION_RUNNING_TIMEOUT for a stream start (both of its steps together),
 * JIT_SESSION_IDLE_TIMEOUT for the agent to be idle after a stop, and the up-time limit for the watch.
 */
export function sessionSteps(settings: SessionSettings) {
  const once = (startToCloseTimeout: number) =>
    proxyActivities<SessionActivityApi>({ startToCloseTimeout, heartbeatTimeout: WAIT_HEARTBEAT, retry: { maximumAttempts: 1 } });
  const retried = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['ProvisionError', 'NonRetryable'] },
  });
  const watch = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: (settings.maxUpS + 60) * 1000,
    heartbeatTimeout: Math.max(10, 3 * settings.pollIntervalS) * 1000,
    retry: { maximumAttempts: 20, initialInterval: '1s', nonRetryableErrorTypes: ['NonRetryable'] },
  });
  const runningTimeoutMs = settings.sessionRunningTimeoutS * 1000;

  return {
    provisionInstance: retried.provisionInstance,
    releaseInstance: retried.releaseInstance,
    stopStream: retried.stopStream,
    waitInstanceReady: (instance: Instance) =>
      once(settings.instanceReadyTimeoutS * 1000)
        .waitInstanceReady(instance)
        .catch(timeoutSaid(`the instance's agent did not answer within JIT_INSTANCE_READY_TIMEOUT (${settings.instanceReadyTimeoutS} s)`)),
    waitAgentIdle: (instance: Instance) =>
      once(settings.sessionIdleTimeoutS * 1000)
        .waitAgentIdle(instance)
        .catch(timeoutSaid(`the agent was not idle within JIT_SESSION_IDLE_TIMEOUT (${settings.sessionIdleTimeoutS} s)`)),
    watchStream: watch.watchStream,

    /**
     * Starts the stream and waits until it runs, within one JIT_SESSION_RUNNING_TIMEOUT for both
     * steps: the wait gets what the start left of it. `started` is called as soon as the agent
     * has the stream (it must then be stopped, whatever happens next).
     */
    async startStream(instance: Instance, streamId: string, spec: StreamSpec, started: () => void): Promise<{ port: number }> {
      const deadline = Date.now() + runningTimeoutMs;
      const message = `the stream did not run within JIT_SESSION_RUNNING_TIMEOUT (${settings.sessionRunningTimeoutS} s)`;
      const { port } = await once(runningTimeoutMs).startStream(instance, streamId, spec).catch(timeoutSaid(message));
      started();
      const left = deadline - Date.now();
      if (left <= 0) throw stepTimedOut(message);
      await once(left).waitStreamRunning(instance, streamId).catch(timeoutSaid(message));
      return { port };
    },
  };
}

export type SessionSteps = ReturnType<typeof sessionSteps>;
