/**
 * Frame numbers ↔ SMPTE timecode HH:MM:SS:FF, non-drop-frame: FF counts the frames of a second at
 * the stream's rate rounded to a whole number (29.97 counts 0–29), as editors show NDF timecode.
 */
import type { FrameRate } from './protocol';

/** Frames per timecode second for a rate. */
export function timecodeBase(rate: FrameRate): number {
  return Math.max(1, Math.round(rate.num / rate.den));
}

const two = (n: number): string => String(n).padStart(2, '0');

export function frameToTimecode(frame: number, rate: FrameRate): string {
  const base = timecodeBase(rate);
  const seconds = Math.floor(frame / base);
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}:${two(frame % base)}`;
}

const TIMECODE = /^(\d{1,2}):(\d{1,2}):(\d{1,2})[:;.](\d{1,3})$/;

/**
 * A position typed by the user: a frame number ("120") or a timecode ("00:00:04:20").
 * Returns the frame number; throws an Error saying what is wrong.
 */
export function parsePosition(text: string, rate: FrameRate): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const match = TIMECODE.exec(value);
  if (!match) throw new Error(`"${value}" is neither a frame number nor a timecode HH:MM:SS:FF`);
  const [hours, minutes, seconds, frames] = match.slice(1).map(Number);
  const base = timecodeBase(rate);
  if (minutes > 59 || seconds > 59) throw new Error(`"${value}": minutes and seconds go up to 59`);
  if (frames >= base) throw new Error(`"${value}": frames go up to ${base - 1} at ${base} frames per second`);
  return ((hours * 60 + minutes) * 60 + seconds) * base + frames;
}
