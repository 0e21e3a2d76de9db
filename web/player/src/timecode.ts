/**
 * A position typed in the go-to box: a frame number, or a timecode of the stream that the JIT
 * places (it knows the start timecode and the drop-frame count). Timecode itself is the shared
 * implementation of libs/protocol, so the page and the JIT read it alike.
 */
import { TIMECODE_PATTERN, timecodeToFrame } from '@jit/protocol/timecode';
import type { FrameRate } from './protocol';

export type Position = { frame: number } | { tc: string };

/**
 * Reads a frame number ("120") or a timecode ("01:00:04:20"), checking a timecode's fields at the
 * stream's rate; throws an Error saying what is wrong.
 */
export function parsePosition(text: string, rate: FrameRate): Position {
  const value = text.trim();
  if (/^\d+$/.test(value)) return { frame: Number(value) };
  if (!TIMECODE_PATTERN.test(value)) throw new Error(`"${value}" is neither a frame number nor a timecode HH:MM:SS:FF`);
  // Non-drop here: only the fields are checked; a drop-frame label that does not exist is the JIT's to refuse.
  timecodeToFrame(value, { rate, dropFrame: false });
  return { tc: value };
}
