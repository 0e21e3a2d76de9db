import { z } from 'zod';
import { inputSpecSchema, sessionOptionsShape } from '@jit/config';

/**
 * The JIT options a session may set (libs/config JIT_OPTIONS), as the JIT's own option names and
 * with its bounds. Their combinations (both halves of a pixel aspect, …) are checked when the
 * stream starts, since a restart's options are merged into the session's.
 */
export const streamOptionsSchema = z.strictObject(sessionOptionsShape());
export type StreamOptions = z.infer<typeof streamOptionsSchema>;

/** Newlines, NUL and other control characters: never in a URL or a name (they would reach logs and the JIT's argv). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
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
