import { z } from 'zod';
import { sessionRequestSchema } from '@jit/sessions/session-request';

/**
 * The orchestrator's answer for a session (`POST /session`, `GET /session/:id`, `GET /sessions`,
 * restart, `DELETE`): built by apps/orchestrator/src/sessions, documented in its OpenAPI document,
 * read by the players and the benchmarks.
 */

export const SESSION_PHASES = ['provisioning', 'starting', 'running', 'restarting', 'stopping', 'ended', 'failed'] as const;
export const SESSION_END_REASONS = ['killed', 'idle', 'max-uptime', 'stream-exited', 'failed', 'cancelled'] as const;
/** The step that failed: `stream` means the JIT refused its inputs or options. */
export const SESSION_FAILED_STEPS = ['instance', 'stream', 'watch', 'restart'] as const;

export const iceServerSchema = z.object({ urls: z.array(z.string()), username: z.string().optional(), credential: z.string().optional() });

export const sessionAnswerSchema = z.object({
  sessionId: z.string().meta({ example: 'session-2026-11-25-0a1b2c3d4e' }),
  state: z.enum(SESSION_PHASES),
  jitUrl: z.string().nullable().meta({ description: 'WHEP URL of the stream while it runs' }),
  iceServers: z.array(iceServerSchema),
  instance: z.object({ id: z.string(), provider: z.string() }).nullable(),
  restarts: z.number().int(),
  timings: z.object({
    createdAt: z.string(),
    instanceReadyAt: z.string().nullable(),
    runningAt: z.string().nullable(),
    endedAt: z.string().nullable(),
  }),
  lastError: z.string().nullable(),
  failedStep: z.enum(SESSION_FAILED_STEPS).nullable(),
  endReason: z.enum(SESSION_END_REASONS).nullable(),
  request: sessionRequestSchema,
});
export type SessionAnswer = z.infer<typeof sessionAnswerSchema>;
