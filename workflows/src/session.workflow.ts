import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  proxySinks,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivityApi, WatchOutcome } from '../../activities/src/session-activities.contract';
import type { StreamOptions, StreamSpec } from '../../libs/sessions/src/session-request';
import { releaseSignal } from './capacity.contract';
import type { SessionEventSinks } from './session-events.sink';
import {
  type SessionState,
  type SessionWorkflowInput,
  killSignal,
  restartUpdate,
  stateQuery,
  untilRunningUpdate,
} from './session.contract';

const message = (error: unknown): string => {
  let e = error as { message?: string; cause?: unknown } | undefined;
  // Activity failures wrap the activity's own error: show the innermost message.
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(error);
};

/**
 * One viewing session: provision an instance → wait until its agent is ready → start the stream
 * → wait until it runs → watch it until it is killed, idle too long or up too long → stop the
 * stream and release the instance, also when the workflow is cancelled or a step fails for good.
 *
 * The watch is one long heartbeating activity that polls the agent every poll interval, rather
 * than a poll activity per interval with continue-as-new: the history then grows only when
 * something happens (about 15 events for a 4-hour session without restarts), a worker that dies
 * mid-watch is noticed by the heartbeat timeout and the watch resumes on another worker, and the
 * up-time limit stays in the workflow as a durable timer.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionState> {
  const { sessionId, settings } = input;
  const { inputs, ...initialOptions } = input.request;
  let spec: StreamSpec = { inputs, options: initialOptions };
  const streamId = sessionId;

  const retrying = { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['ProvisionError', 'NonRetryable'] };
  const acts = proxyActivities<SessionActivityApi>({ startToCloseTimeout: '2 minutes', retry: retrying });
  const ready = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: settings.instanceReadyTimeoutS * 1000,
    heartbeatTimeout: '15s',
    retry: { maximumAttempts: 1 },
  });
  const running = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: settings.sessionRunningTimeoutS * 1000,
    heartbeatTimeout: '15s',
    retry: { maximumAttempts: 1 },
  });
  const idle = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: settings.sessionIdleTimeoutS * 1000,
    heartbeatTimeout: '15s',
    retry: { maximumAttempts: 1 },
  });
  const watch = proxyActivities<SessionActivityApi>({
    startToCloseTimeout: (settings.maxUpS + 60) * 1000,
    heartbeatTimeout: Math.max(10, 3 * settings.pollIntervalS) * 1000,
    retry: { maximumAttempts: 20, initialInterval: '1s', nonRetryableErrorTypes: ['NonRetryable'] },
  });

  const now = () => new Date().toISOString();
  const state: SessionState = {
    sessionId,
    phase: 'provisioning',
    request: input.request,
    instance: null,
    streamPort: null,
    streamHost: null,
    restarts: 0,
    lastError: null,
    failedStep: null,
    endReason: null,
    timings: { createdAt: now(), instanceReadyAt: null, runningAt: null, endedAt: null },
  };
  const over = () => state.phase === 'ended' || state.phase === 'failed';
  // Metrics and logs of the session, told to the worker (see session-events.sink.ts).
  const { sessionEvents } = proxySinks<SessionEventSinks>();
  const sinceStart = () => (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  sessionEvents.started();
  let killed = false;
  let restartWanted: { options: StreamOptions } | undefined;

  setHandler(stateQuery, () => state);
  setHandler(killSignal, () => {
    killed = true;
  });
  setHandler(untilRunningUpdate, async () => {
    await condition(() => state.phase === 'running' || over());
    return state;
  });
  setHandler(
    restartUpdate,
    async (options: StreamOptions) => {
      const target = state.restarts + 1;
      restartWanted = { options };
      await condition(() => state.restarts >= target || state.phase === 'stopping' || over());
      return state;
    },
    {
      validator: (_options: StreamOptions) => {
        if (over() || state.phase === 'stopping') throw new Error(`session ${sessionId} has ended`);
      },
    },
  );

  let streamStarted = false;
  const startAndWait = async () => {
    const instance = state.instance!;
    state.phase = 'starting';
    const { port } = await running.startStream(instance, streamId, spec);
    streamStarted = true;
    await running.waitStreamRunning(instance, streamId);
    state.streamPort = port;
    state.streamHost = instance.streamHost;
    state.phase = 'running';
    state.timings.runningAt = now();
  };

  let step: NonNullable<SessionState['failedStep']> = 'instance';
  try {
    state.instance = await acts.provisionInstance(sessionId);
    await ready.waitInstanceReady(state.instance);
    state.timings.instanceReadyAt = now();
    sessionEvents.instanceReady(sinceStart());
    step = 'stream';
    await startAndWait();
    sessionEvents.running(sinceStart());
    step = 'watch';
    const deadline = Date.now() + settings.maxUpS * 1000;

    for (;;) {
      let outcome: WatchOutcome | undefined;
      let failure: unknown;
      const scope = new CancellationScope();
      const watching = scope
        .run(() => watch.watchStream(state.instance!, streamId, settings.pollIntervalS, settings.maxIdleS))
        .then(
          (o) => void (outcome = o),
          (e: unknown) => void (failure = e),
        );
      const woke = await condition(
        () => killed || restartWanted !== undefined || outcome !== undefined || failure !== undefined,
        Math.max(1, deadline - Date.now()),
      );
      if (outcome === undefined && failure === undefined) {
        scope.cancel();
        await watching;
      }
      if (!woke) {
        state.endReason = 'max-uptime';
        break;
      }
      if (killed) {
        state.endReason = 'killed';
        break;
      }
      if (failure !== undefined && !isCancellation(failure)) throw failure;
      if (outcome) {
        // A JIT that ended by itself (its technical timeout, exit 0) ends the session; one that
        // crashed or was killed fails it, saying so: the viewer's connection died with it.
        if (outcome.reason === 'stream-exited' && outcome.exitCode !== 0) {
          const how = outcome.exitCode === null ? 'killed by a signal' : `exit code ${outcome.exitCode}`;
          throw ApplicationFailure.nonRetryable(`the stream's JIT exited unexpectedly (${how})`, 'StreamCrashed');
        }
        state.endReason = outcome.reason;
        break;
      }
      if (restartWanted) {
        const { options } = restartWanted;
        restartWanted = undefined;
        state.phase = 'restarting';
        step = 'restart';
        await acts.stopStream(state.instance, streamId);
        streamStarted = false;
        await idle.waitAgentIdle(state.instance);
        spec = { inputs: spec.inputs, options: { ...spec.options, ...options } };
        try {
          await startAndWait();
        } catch (error) {
          throw ApplicationFailure.nonRetryable(`restart failed: ${message(error)}`, 'RestartFailed');
        }
        state.restarts++;
        sessionEvents.restarted();
        step = 'watch';
      }
    }
  } catch (error) {
    state.lastError = message(error);
    state.endReason = isCancellation(error) ? 'cancelled' : 'failed';
    if (state.endReason === 'failed') state.failedStep = step;
  } finally {
    await CancellationScope.nonCancellable(async () => {
      const failed = state.endReason === 'failed';
      state.phase = 'stopping';
      const instance = state.instance;
      if (instance && streamStarted) {
        await acts.stopStream(instance, streamId).catch((error: unknown) => {
          state.lastError ??= `stopping the stream: ${message(error)}`;
        });
      }
      if (instance) await acts.releaseInstance(instance);
      state.phase = failed ? 'failed' : 'ended';
      state.timings.endedAt = now();
      sessionEvents.ended(state.endReason ?? 'ended', state.failedStep, state.lastError);
      if (input.capacityWorkflowId) {
        // The ledger may be between runs or gone; it reclaims slots of ended sessions by itself too.
        await getExternalWorkflowHandle(input.capacityWorkflowId)
          .signal(releaseSignal, sessionId)
          .catch(() => undefined);
      }
    });
  }
  return state;
}
