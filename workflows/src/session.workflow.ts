import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxySinks,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { StreamOptions, StreamSpec } from '@jit/sessions';
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
import { failureMessage, initialSessionState, isOver } from './session-state';
import { sessionSteps } from './session-steps';
import { watchStream } from './session-watch';

/**
 * One viewing session: provision an instance → wait until its agent is ready → start the stream
 * and wait until it runs → watch it until it is killed, idle too long or up too long (restarting
 * it when asked) → stop the stream and release the instance, also when the workflow is cancelled
 * or a step fails for good. About 15 events of history for a 4-hour session without restarts.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionState> {
  const { sessionId, settings } = input;
  const { inputs, ...initialOptions } = input.request;
  let spec: StreamSpec = { inputs, options: initialOptions };
  const streamId = sessionId;
  const steps = sessionSteps(settings);
  const now = () => new Date().toISOString();
  const state = initialSessionState(input, now());
  // Metrics and logs of the session, told to the worker (see session-events.sink.ts).
  const { sessionEvents } = proxySinks<SessionEventSinks>();
  const sinceStart = () => (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  sessionEvents.started();

  let killed = false;
  let restartWanted: StreamOptions | undefined;
  setHandler(stateQuery, () => state);
  setHandler(killSignal, () => void (killed = true));
  setHandler(untilRunningUpdate, async () => {
    await condition(() => state.phase === 'running' || isOver(state));
    return state;
  });
  setHandler(
    restartUpdate,
    async (options: StreamOptions) => {
      const target = state.restarts + 1;
      restartWanted = options;
      await condition(() => state.restarts >= target || state.phase === 'stopping' || isOver(state));
      return state;
    },
    {
      validator: (_options: StreamOptions) => {
        if (isOver(state) || state.phase === 'stopping') throw new Error(`session ${sessionId} has ended`);
      },
    },
  );

  let streamStarted = false;
  const startAndWait = async () => {
    const instance = state.instance!;
    state.phase = 'starting';
    const { port } = await steps.startStream(instance, streamId, spec, () => void (streamStarted = true));
    state.streamPort = port;
    state.streamHost = instance.streamHost;
    state.phase = 'running';
    state.timings.runningAt = now();
  };

  let step: NonNullable<SessionState['failedStep']> = 'instance';
  try {
    state.instance = await steps.provisionInstance(sessionId);
    await steps.waitInstanceReady(state.instance);
    state.timings.instanceReadyAt = now();
    sessionEvents.instanceReady(sinceStart());
    step = 'stream';
    await startAndWait();
    sessionEvents.running(sinceStart());
    step = 'watch';
    const deadline = Date.now() + settings.maxUpS * 1000;
    const signals = { killed: () => killed, restartWanted: () => restartWanted !== undefined };

    for (;;) {
      const watched = await watchStream(steps, state.instance, streamId, settings, deadline, signals);
      if ('end' in watched) {
        state.endReason = watched.end;
        break;
      }
      const options = restartWanted ?? {};
      restartWanted = undefined;
      state.phase = 'restarting';
      step = 'restart';
      await steps.stopStream(state.instance, streamId);
      streamStarted = false;
      await steps.waitAgentIdle(state.instance);
      spec = { inputs: spec.inputs, options: { ...spec.options, ...options } };
      try {
        await startAndWait();
      } catch (error) {
        throw ApplicationFailure.nonRetryable(`restart failed: ${failureMessage(error)}`, 'RestartFailed');
      }
      state.restarts++;
      sessionEvents.restarted();
      step = 'watch';
    }
  } catch (error) {
    state.lastError = failureMessage(error);
    state.endReason = isCancellation(error) ? 'cancelled' : 'failed';
    if (state.endReason === 'failed') state.failedStep = step;
  } finally {
    await CancellationScope.nonCancellable(async () => {
      const failed = state.endReason === 'failed';
      state.phase = 'stopping';
      const instance = state.instance;
      if (instance && streamStarted) {
        await steps.stopStream(instance, streamId).catch((error: unknown) => {
          state.lastError ??= `stopping the stream: ${failureMessage(error)}`;
        });
      }
      if (instance) await steps.releaseInstance(instance);
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
