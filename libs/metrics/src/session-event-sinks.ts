import type { InjectedSinks } from '@temporalio/worker';
import type { Logger } from '@jit/logging';
import type { SessionEventSinks } from '@jit/workflows/session-events.sink';
import type { SessionMetrics } from './session-metrics';

/** The worker's side of the session workflows' events: metrics, and a log line with the session and workflow id. */
export function sessionEventSinks(metrics: SessionMetrics, log: Logger): InjectedSinks<SessionEventSinks> {
  const about = (info: { workflowId: string; runId: string }) =>
    log.child({ sessionId: info.workflowId, workflowId: info.workflowId, runId: info.runId });
  return {
    sessionEvents: {
      started: {
        fn: (info) => {
          metrics.started.inc();
          about(info).info('session started');
        },
      },
      instanceReady: {
        fn: (info, seconds) => {
          metrics.instanceReady.observe(seconds);
          about(info).info({ seconds }, 'session instance ready');
        },
      },
      running: {
        fn: (info, seconds) => {
          metrics.firstFrame.observe(seconds);
          about(info).info({ seconds }, 'session stream running');
        },
      },
      restarted: {
        fn: (info) => {
          metrics.restarts.inc();
          about(info).info('session stream restarted');
        },
      },
      ended: {
        fn: (info, reason, failedStep, lastError) => {
          metrics.ended.inc({ reason });
          if (failedStep) metrics.failed.inc({ step: failedStep });
          about(info)[failedStep ? 'warn' : 'info']({ reason, failedStep, lastError }, 'session ended');
        },
      },
    },
  };
}
