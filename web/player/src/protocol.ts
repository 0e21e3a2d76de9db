/**
 * The `control` data channel as the player sees it: the message types come from the schema the JIT
 * validates with (libs/protocol, types only: no zod in the page), and what arrives gets a small
 * check before the player believes it.
 */
import type { ControlMessage, PlaybackState, ServerMessage } from '@jit/protocol/control-messages';

export type { ControlMessage, PlaybackState, ServerMessage };

/** Frames per second as the JIT states it, a fraction {num, den} (25/1, 30000/1001). */
export type FrameRate = Extract<ServerMessage, { type: 'state' }>['frameRate'];

/** One message off the channel: a message the player knows, one of a type it does not (from a newer JIT), or garbage. */
export type Received = { message: ServerMessage } | { ignored: string } | { invalid: string };

const PLAYBACK_STATES: readonly unknown[] = ['paused', 'playing', 'ended'] satisfies PlaybackState[];

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isRate = (value: unknown): value is FrameRate =>
  typeof value === 'object' &&
  value !== null &&
  isCount((value as FrameRate).num) &&
  isCount((value as FrameRate).den) &&
  (value as FrameRate).den > 0;

const isMark = (value: unknown): boolean =>
  value === null ||
  (typeof value === 'object' && isCount((value as { frame?: unknown }).frame) && typeof (value as { tc?: unknown }).tc === 'string');

/** Checks the fields the player reads; a message of a known type missing one is invalid. */
function isWellFormed(m: Record<string, unknown>): boolean {
  switch (m.type) {
    case 'state':
      return (
        PLAYBACK_STATES.includes(m.state) &&
        isCount(m.frame) &&
        typeof m.tc === 'string' &&
        isCount(m.frameCount) &&
        isRate(m.frameRate) &&
        (m.audioOffset === null || isCount(m.audioOffset)) &&
        isCount(m.audioChannels) &&
        isMark(m.in) &&
        isMark(m.out) &&
        typeof m.loop === 'boolean'
      );
    case 'seeked':
    case 'frame':
      return isCount(m.frame) && typeof m.tc === 'string';
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}

const KNOWN_TYPES = new Set<unknown>(['state', 'seeked', 'frame', 'error'] satisfies ServerMessage['type'][]);

/** Reads one data-channel message (text, or bytes of UTF-8 text). */
export function readServerMessage(data: unknown): Received {
  const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : null;
  if (text === null) return { invalid: 'not text' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { invalid: `not JSON: ${text.slice(0, 100)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
    return { invalid: `no message type: ${text.slice(0, 100)}` };
  }
  const message = parsed as Record<string, unknown>;
  if (!KNOWN_TYPES.has(message.type)) return { ignored: String(message.type) };
  return isWellFormed(message)
    ? { message: message as ServerMessage }
    : { invalid: `a malformed "${message.type}" message: ${text.slice(0, 100)}` };
}

/** What goes on the channel for a command. */
export const encodeCommand = (command: ControlMessage): string => JSON.stringify(command);
