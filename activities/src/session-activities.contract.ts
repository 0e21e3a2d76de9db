import type { Instance } from '@jit/providers';
import type { StreamSpec } from '@jit/sessions';

/** Why the watch over a running stream ended. */
export type WatchOutcome = { reason: 'idle'; idleSeconds: number } | { reason: 'stream-exited'; exitCode: number | null };

/** The activities of the session workflow; implemented by SessionActivities, called through proxies. */
export interface SessionActivityApi {
  provisionInstance(sessionId: string): Promise<Instance>;
  waitInstanceReady(instance: Instance): Promise<void>;
  startStream(instance: Instance, streamId: string, spec: StreamSpec): Promise<{ port: number }>;
  waitStreamRunning(instance: Instance, streamId: string): Promise<void>;
  watchStream(instance: Instance, streamId: string, pollIntervalS: number, maxIdleS: number): Promise<WatchOutcome>;
  stopStream(instance: Instance, streamId: string): Promise<void>;
  waitAgentIdle(instance: Instance): Promise<void>;
  releaseInstance(instance: Instance): Promise<void>;
}
