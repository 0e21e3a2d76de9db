import { z } from 'zod';
import { checkOptionCombinations, launchOptionsShape } from '@jit/config/jit-options';
import { inputSpecSchema } from '@jit/config/jit-inputs';
import { RUNTIME_KINDS } from './agent-status';

/**
 * The agent's `POST /streams` body (sent by libs/agent-client, checked by the agent's
 * apps/agent/src/stream-request.ts) and its answer.
 */

export const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** One input: the JIT's, and nothing its command line would read as something else. */
const streamInputSchema = z.strictObject({
  ...inputSpecSchema.shape,
  url: inputSpecSchema.shape.url
    .refine((u) => !u.startsWith('-'), { message: 'must not start with "-"' })
    .refine((u) => !/^(channel_count|id)=/.test(u), { message: 'must not start with channel_count= or id=' }),
});

/**
 * Every JIT option a stream may set (libs/config JIT_OPTIONS), with the bounds and combinations
 * the JIT checks: the agent accepts exactly what the JIT accepts.
 */
export const launchOptionsSchema = z.strictObject(launchOptionsShape()).superRefine(checkOptionCombinations);
export type LaunchOptions = z.infer<typeof launchOptionsSchema>;

export const streamRequestSchema = z.strictObject({
  id: z.string().regex(STREAM_ID, 'must be 1-64 characters of A-Z a-z 0-9 _ -'),
  /** The orchestrator's session: on the agent's and the JIT's log lines about this stream. */
  sessionId: z.string().regex(STREAM_ID, 'must be 1-64 characters of A-Z a-z 0-9 _ -').optional(),
  /** The token the JIT then requires from viewers (WHEP, /status); without it the JIT is open. */
  viewerToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -')
    .optional(),
  inputs: z.array(streamInputSchema).min(1, 'at least one input (the video) is required'),
  options: launchOptionsSchema.optional(),
});
export type StreamRequest = z.infer<typeof streamRequestSchema>;

/** `201` to `POST /streams`: the JIT answers /health on `port` of the instance. */
export const streamStartedSchema = z.object({ id: z.string(), port: z.number().int(), runtime: z.enum(RUNTIME_KINDS) });
export type StreamStarted = z.infer<typeof streamStartedSchema>;
