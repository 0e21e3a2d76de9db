/**
 * The `control` data channel between a viewer and the JIT: JSON text both ways. The JIT validates
 * what it receives with controlMessageSchema; the player imports the types only (no zod in the page).
 * Platform-neutral: no Node or DOM APIs, since both the JIT and the browser's type-check read it.
 */
import { z } from 'zod';
import { TIMECODE_PATTERN } from './timecode';

const frameNumber = z.number().int().min(0).max(1e9);
const timecode = z.string().max(16).regex(TIMECODE_PATTERN, 'must be a timecode HH:MM:SS:FF');

/** A mark (in or out point): at a frame number, at a timecode, or, with neither, at the frame on screen. */
const markMessage = <T extends 'setIn' | 'setOut'>(type: T) =>
  z
    .object({ type: z.literal(type), frame: frameNumber.optional(), tc: timecode.optional() })
    .strict()
    .refine((m) => m.frame === undefined || m.tc === undefined, { message: 'a mark takes at most one of frame and tc' });

/** What a viewer may send on its `control` data channel. */
export const controlMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('play') }).strict(),
  z.object({ type: z.literal('pause') }).strict(),
  // To a frame number or to a timecode of the stream (counted from its start timecode): one of them.
  z
    .object({
      type: z.literal('seek'),
      frame: frameNumber.optional(),
      tc: timecode.optional(),
    })
    .strict()
    .refine((m) => (m.frame === undefined) !== (m.tc === undefined), { message: 'a seek takes exactly one of frame and tc' }),
  z.object({ type: z.literal('step'), frames: z.number().int().min(-1e9).max(1e9) }).strict(),
  z.object({ type: z.literal('audio'), offset: z.number().int().min(0).max(255) }).strict(),
  markMessage('setIn'),
  markMessage('setOut'),
  // Without `point`, both marks go.
  z.object({ type: z.literal('clearInOut'), point: z.enum(['in', 'out']).optional() }).strict(),
  z.object({ type: z.literal('loop'), on: z.boolean() }).strict(),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;

export type PlaybackState = 'paused' | 'playing' | 'ended';

/** An in or out point as the JIT reports it: its frame and that frame's timecode. */
export interface MarkPosition {
  frame: number;
  tc: string;
}

/** What the JIT sends back on the same channel. */
export type ServerMessage =
  | {
      type: 'state';
      state: PlaybackState;
      frame: number;
      frameCount: number;
      frameRate: { num: number; den: number };
      /** The timecode of `frame` (see libs/protocol timecode.ts timecodeClock). */
      tc: string;
      audioOffset: number | null;
      audioChannels: number;
      /** The in and out points (null: unset, the stream's start or end bounds play) and whether play loops between them. */
      in: MarkPosition | null;
      out: MarkPosition | null;
      loop: boolean;
    }
  | { type: 'seeked'; frame: number; tc: string }
  | { type: 'frame'; frame: number; tc: string }
  | { type: 'error'; message: string };

/** Parses one data-channel message; a reason for the viewer when it is not valid. */
export function parseControlMessage(data: string | Uint8Array): { ok: true; message: ControlMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = controlMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, reason: `${where}${issue.message}` };
}
