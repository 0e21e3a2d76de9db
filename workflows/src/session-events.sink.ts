import type { Sinks } from '@temporalio/workflow';

/**
 * What a session workflow tells its worker as it goes, for metrics and logs: workflow code may
 * not touch either itself. Sinks run after the workflow task and not again on replay, so a
 * session is counted once however often its history is replayed.
 */
export interface SessionEventSinks extends Sinks {
  sessionEvents: {
    started(): void;
    /** Seconds from the workflow's start until its instance's agent answered. */
    instanceReady(seconds: number): void;
    /** Seconds from the workflow's start until its stream first ran. */
    running(seconds: number): void;
    restarted(): void;
    ended(reason: string, failedStep: string | null, lastError: string | null): void;
  };
}
