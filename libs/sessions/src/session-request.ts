import { z } from 'zod';
import { COLORSPACES, THREAD_TYPES, inputSpecSchema } from '../../config/src';

/** The JIT options a session may set, as the JIT's own option names; bounds as the JIT checks them. */
export const streamOptionsSchema = z
  .object({
    lowres: z.number().int().min(0).max(3),
    width: z.number().int().min(16).max(8192),
    height: z.number().int().min(16).max(8192),
    frameRateNum: z.number().int().min(1).max(1_000_000),
    frameRateDen: z.number().int().min(1).max(1_000_000),
    sampleAspectNum: z.number().int().min(1).max(1_000_000),
    sampleAspectDen: z.number().int().min(1).max(1_000_000),
    colorspace: z.enum(COLORSPACES),
    bt2100ToneMapping: z.boolean(),
    duration: z.number().int().min(1).max(1_000_000_000),
    bitrate: z.number().int().min(1).max(10_000_000_000),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
    channels: z.number().int().min(1).max(256),
    cho: z.number().int().min(0).max(255),
    threads: z.number().int().min(0).max(64),
    threadType: z.enum(THREAD_TYPES),
  })
  .partial()
  .strict();
export type StreamOptions = z.infer<typeof streamOptionsSchema>;

/** Newlines, NUL and other control characters: never in a URL or a name (they would reach logs and the JIT's argv). */
const NO_CONTROL = [/^[^\x00-\x1f\x7f]*$/, 'must not contain control characters (newline, NUL, …)'] as const;

/** One input of a session: the JIT's input, with lengths and characters bounded. */
const sessionInputSchema = inputSpecSchema
  .extend({
    url: inputSpecSchema.shape.url.max(4096).regex(...NO_CONTROL),
    // A name shown in /status: letters, digits, spaces and a few marks (nothing a shell or a log would read).
    id: inputSpecSchema.shape.id
      .unwrap()
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._()+-]*$/u, 'must be letters, digits, spaces and . _ ( ) + -')
      .optional(),
  })
  .strict();

/** `POST /session`: the inputs (first video, the rest audio) and the JIT options, side by side. */
export const sessionRequestSchema = z
  .object({ inputs: z.array(sessionInputSchema).min(1).max(64) })
  .extend(streamOptionsSchema.shape)
  .strict();
export type SessionRequest = z.infer<typeof sessionRequestSchema>;

/** What a stream is started with: the inputs and the options. */
export interface StreamSpec {
  inputs: SessionRequest['inputs'];
  options: StreamOptions;
}

export function streamSpecOf(request: SessionRequest): StreamSpec {
  const { inputs, ...options } = request;
  return { inputs, options };
}
