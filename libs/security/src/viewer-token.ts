import { createHmac } from 'node:crypto';

/**
 * The token a session's JIT requires from its viewers: derived from the orchestrator's secret and
 * the session id, so the API (for jitUrl) and any worker (for the agent) compute the same token
 * without it being stored anywhere, Temporal's history included. Restarts keep it.
 */
export function viewerToken(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`jit-viewer:${sessionId}`).digest('base64url').slice(0, 32);
}
