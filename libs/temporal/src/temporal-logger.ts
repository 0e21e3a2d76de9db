import { DefaultLogger, type LogEntry, Runtime } from '@temporalio/worker';
import type { Logger } from '@jit/logging';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let installed = false;

/**
 * The Temporal SDK's own logs (worker, workflow and activity loggers, the native core's) as JSON
 * lines of our logger instead of its console format. Its metadata is kept as fields; a session
 * workflow's id is its session id, so those lines get `sessionId` too. Once per process, before
 * the first NativeConnection (the SDK's runtime is a process-wide singleton).
 */
export function installTemporalLogger(log: Logger, verbose: boolean): void {
  if (installed) return;
  installed = true;
  const write = ({ level, message, meta }: LogEntry) => {
    const workflowId = typeof meta?.workflowId === 'string' ? meta.workflowId : undefined;
    const sessionId = workflowId?.startsWith('session-') ? workflowId : undefined;
    log[LEVELS[level]]({ ...meta, ...(sessionId ? { sessionId } : {}), temporal: true }, message);
  };
  Runtime.install({
    logger: new DefaultLogger(verbose ? 'DEBUG' : 'INFO', write),
    telemetryOptions: { logging: { filter: { core: verbose ? 'INFO' : 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
