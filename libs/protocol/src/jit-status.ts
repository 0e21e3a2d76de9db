import { z } from 'zod';

/**
 * The JIT's `GET /status` answer: written by apps/jit (http/status.controller.ts), read by the
 * agent (apps/agent/src/jit-client.ts) and passed on in the agent's own status.
 */

const rationalSchema = z.object({ num: z.number().int(), den: z.number().int() });

/** Where one viewer's transport is. */
export const VIEWER_PLAYBACK_STATES = ['paused', 'playing', 'ended'] as const;

export const jitViewerStatusSchema = z.object({
  id: z.string(),
  codec: z.enum(['h264', 'vp8']),
  state: z.enum(VIEWER_PLAYBACK_STATES),
  frame: z.number().int(),
  /** The viewer's in and out points (frame numbers; null: unset) and whether its play loops between them. */
  in: z.number().int().nullable(),
  out: z.number().int().nullable(),
  loop: z.boolean(),
  connectedSeconds: z.number(),
});

/** The inputs as the JIT opened them, and the picture it sends. */
export const jitMediaSchema = z.object({
  video: z.object({
    url: z.string(),
    id: z.string().optional(),
    codec: z.string(),
    width: z.number(),
    height: z.number(),
    sourceRate: rationalSchema,
    sampleAspect: rationalSchema,
    /** Source frames in the stream. */
    frameCount: z.number(),
  }),
  audio: z.array(z.object({ url: z.string(), id: z.string().optional(), channels: z.number().int() })),
  output: z.object({ width: z.number(), height: z.number(), frameRate: rationalSchema, frameCount: z.number() }),
});
export type JitMedia = z.infer<typeof jitMediaSchema>;

export const jitStatusSchema = z.object({
  /** Of the most recently active viewer; `idle` without viewers. */
  state: z.enum(['idle', ...VIEWER_PLAYBACK_STATES]),
  frame: z.number().int().nullable(),
  /** That viewer's in/out points and loop (null, null, false without viewers). */
  in: z.number().int().nullable(),
  out: z.number().int().nullable(),
  loop: z.boolean(),
  viewers: z.number().int(),
  /** Since the last viewer activity (connect, leave, control message). */
  idleSeconds: z.number(),
  uptimeSeconds: z.number(),
  viewerList: z.array(jitViewerStatusSchema),
  media: jitMediaSchema,
  /**
   * The source's start timecode (its tmcd track or `timecode` tag, else 00:00:00:00), at the video's
   * rate, with its drop-frame flag: the origin of the `tc` the viewers are sent.
   */
  startTimecode: z.object({ timecode: z.string(), rate: rationalSchema, dropFrame: z.boolean() }),
  /** The next viewer's inputs are open on a waiting video thread (frame 0 decoded). */
  nextViewerReady: z.boolean(),
});
export type JitStatus = z.infer<typeof jitStatusSchema>;
