import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Instance } from '@jit/providers';
import type { SessionRequest, StreamOptions } from '@jit/sessions';

export const SESSION_WORKFLOW = 'sessionWorkflow';
/** Temporal's visibility query for the sessions running now. */
export const RUNNING_SESSIONS_QUERY = `WorkflowType = "${SESSION_WORKFLOW}" AND ExecutionStatus = "Running"`;

/** Timeouts and watch settings, from the orchestrator's configuration at the time the session starts. */
export interface SessionSettings {
  instanceReadyTimeoutS: number;
  sessionIdleTimeoutS: number;
  sessionRunningTimeoutS: number;
  pollIntervalS: number;
  maxIdleS: number;
  maxUpS: number;
}

export interface SessionWorkflowInput {
  sessionId: string;
  request: SessionRequest;
  settings: SessionSettings;
  /** The capacity ledger that admitted this session; told when the session ends. */
  capacityWorkflowId?: string;
}

export type SessionPhase = 'provisioning' | 'starting' | 'running' | 'restarting' | 'stopping' | 'ended' | 'failed';

export type EndReason = 'killed' | 'idle' | 'max-uptime' | 'stream-exited' | 'failed' | 'cancelled';

/** What `GET /session/:id` shows: read from the workflow by a query. */
export interface SessionState {
  sessionId: string;
  phase: SessionPhase;
  request: SessionRequest;
  instance: Instance | null;
  /** Port of the running JIT on the instance; the orchestrator builds the WHEP URL from it. */
  streamPort: number | null;
  streamHost: string | null;
  restarts: number;
  lastError: string | null;
  /** The step that failed, when one did: 'stream' means the JIT refused its inputs or options. */
  failedStep: 'instance' | 'stream' | 'watch' | 'restart' | null;
  endReason: EndReason | null;
  timings: {
    createdAt: string;
    instanceReadyAt: string | null;
    runningAt: string | null;
    endedAt: string | null;
  };
}

export const stateQuery = defineQuery<SessionState>('state');
export const killSignal = defineSignal('kill');
/** Restarts the stream (the options given, possibly none, override the session's) and resolves once it runs again, or failed. */
export const restartUpdate = defineUpdate<SessionState, [StreamOptions]>('restart');
/** Resolves once the stream runs, or the session failed or ended. */
export const untilRunningUpdate = defineUpdate<SessionState>('untilRunning');
