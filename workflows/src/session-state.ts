import type { SessionState, SessionWorkflowInput } from './session.contract';

/** The state a session starts in (shown by `GET /session/:id` from the first query on). */
export function initialSessionState(input: SessionWorkflowInput, createdAt: string): SessionState {
  return {
    sessionId: input.sessionId,
    phase: 'provisioning',
    request: input.request,
    instance: null,
    streamPort: null,
    streamHost: null,
    restarts: 0,
    lastError: null,
    failedStep: null,
    endReason: null,
    timings: { createdAt, instanceReadyAt: null, runningAt: null, endedAt: null },
  };
}

export const isOver = (state: SessionState): boolean => state.phase === 'ended' || state.phase === 'failed';

/** The innermost message of a failure: activity failures wrap the activity's own error. */
export function failureMessage(error: unknown): string {
  let e = error as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(error);
}
