import { z } from 'zod';
import { jitStatusSchema } from './jit-status';

/**
 * The agent's `GET /status` answer: written by apps/agent (stream-manager.ts),
 * read by libs/agent-client (for the session activities).
 */

export const STREAM_STATES = ['starting', 'running', 'exited'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** How the agent runs its JITs. */
export const RUNTIME_KINDS = ['process', 'docker'] as const;
export type RuntimeKind = (typeof RUNTIME_KINDS)[number];

/** One stream of the agent. */
export const agentStreamStatusSchema = z.object({
  id: z.string(),
  state: z.enum(STREAM_STATES),
  runtime: z.enum(RUNTIME_KINDS),
  /** The JIT's HTTP port on the instance. */
  port: z.number().int(),
  whepPath: z.literal('/whep'),
  startedAt: z.string(),
  /** Once exited: its exit code (null: killed by a signal, or unknown). */
  exitCode: z.number().int().nullable().optional(),
  /** The JIT's own `GET /status`, while it runs and answers. */
  jit: jitStatusSchema.optional(),
});
export type AgentStreamStatus = z.infer<typeof agentStreamStatusSchema>;

export const agentStatusSchema = z.object({
  upSince: z.string(),
  /** Since when nothing has happened on this instance; null while a stream starts or has a viewer. */
  idleSince: z.string().nullable(),
  streams: z.array(agentStreamStatusSchema),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;
