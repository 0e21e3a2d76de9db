/**
 * SMPTE timecode HH:MM:SS:FF ↔ frame counts, non-drop and drop-frame: pure functions shared by the
 * JIT (the `tc` of its messages, seeks by timecode) and the player (its go-to box). Platform-neutral,
 * like the rest of libs/protocol, since the browser's type-check reads it too.
 *
 * FF counts the frames of a timecode second: the rate rounded to a whole number (29.97 counts 0–29).
 * Drop-frame (29.97 and 59.94 only) skips the frame numbers 0 and 1 (0–3 at 59.94) at the start of
 * every minute but each tenth, so the timecode keeps to the clock; it is written with a `;` before FF.
 */

export interface TimecodeRate {
  readonly num: number;
  readonly den: number;
}

/** How a stream counts its timecode. */
export interface TimecodeFormat {
  rate: TimecodeRate;
  dropFrame: boolean;
}

/** The timecode of a stream's first frame, and how it counts on. */
export interface StartTimecode extends TimecodeFormat {
  timecode: string;
}

export class TimecodeError extends Error {
  override readonly name = 'TimecodeError';
}

/** Frames per timecode second for a rate. */
export function timecodeBase(rate: TimecodeRate): number {
  return Math.max(1, Math.round(rate.num / rate.den));
}

/** Drop-frame is defined for the NTSC rates whose whole-number base is a multiple of 30 (29.97, 59.94). */
export function canDropFrame(rate: TimecodeRate): boolean {
  const base = timecodeBase(rate);
  return base % 30 === 0 && rate.num * 1001 === base * 1000 * rate.den;
}

/** Frame numbers skipped at the start of a dropping minute. */
const droppedPerMinute = (base: number): number => base / 15;

const two = (n: number): string => String(n).padStart(2, '0');

/** The timecode of a frame count from 00:00:00:00 (hours wrap at 24, as on tape). */
export function frameToTimecode(frame: number, format: TimecodeFormat): string {
  const base = timecodeBase(format.rate);
  let label = frame;
  if (format.dropFrame) {
    const drop = droppedPerMinute(base);
    const perMinute = base * 60 - drop;
    const perTenMinutes = base * 600 - drop * 9;
    const tens = Math.floor(frame / perTenMinutes);
    const rest = frame % perTenMinutes;
    // The first minute of every ten keeps all its numbers; each later one starts `drop` higher.
    label += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }
  const seconds = Math.floor(label / base);
  const hours = Math.floor(seconds / 3600) % 24;
  return `${two(hours)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}${format.dropFrame ? ';' : ':'}${two(label % base)}`;
}

/** What a timecode looks like: `;` (or `.`, `,`) before FF marks drop-frame in most tools, `:` non-drop. */
export const TIMECODE_PATTERN = /^(\d{1,2}):(\d{1,2}):(\d{1,2})([:;.,])(\d{1,3})$/;

/** Whether a timecode's text says drop-frame (its separator before FF). */
export const looksDropFrame = (text: string): boolean => /[;.,]\d{1,3}$/.test(text.trim());

/**
 * The frame count from 00:00:00:00 of a timecode in a format (its separator is not read: the
 * stream's format decides); throws a TimecodeError saying what is wrong.
 */
export function timecodeToFrame(text: string, format: TimecodeFormat): number {
  const value = text.trim();
  const match = TIMECODE_PATTERN.exec(value);
  if (!match) throw new TimecodeError(`"${value}" is not a timecode HH:MM:SS:FF`);
  const [hours, minutes, seconds, , frames] = match.slice(1).map(Number);
  const base = timecodeBase(format.rate);
  if (hours > 23) throw new TimecodeError(`"${value}": hours go up to 23`);
  if (minutes > 59 || seconds > 59) throw new TimecodeError(`"${value}": minutes and seconds go up to 59`);
  if (frames >= base) throw new TimecodeError(`"${value}": frames go up to ${base - 1} at ${base} frames per second`);
  const totalMinutes = hours * 60 + minutes;
  const count = (totalMinutes * 60 + seconds) * base + frames;
  if (!format.dropFrame) return count;
  const drop = droppedPerMinute(base);
  if (seconds === 0 && minutes % 10 !== 0 && frames < drop) {
    throw new TimecodeError(`"${value}" does not exist in drop-frame timecode: each minute but every tenth starts at frame ${drop}`);
  }
  return count - drop * (totalMinutes - Math.floor(totalMinutes / 10));
}

/**
 * A source's start timecode from its `timecode` tag (tmcd track, MXF, format or stream metadata)
 * at the video's rate; 00:00:00:00 without a tag or with one that cannot be read. Drop-frame when
 * the tag says so (`;`, which FFmpeg writes for a tmcd track's drop-frame flag) and the rate has it.
 */
export function startTimecode(tag: string | undefined, rate: TimecodeRate): StartTimecode {
  const format = { rate: { num: rate.num, den: rate.den }, dropFrame: tag !== undefined && looksDropFrame(tag) && canDropFrame(rate) };
  try {
    if (tag !== undefined) return { ...format, timecode: frameToTimecode(timecodeToFrame(tag, format), format) };
  } catch {
    // An unreadable tag: counted from zero, as without one.
  }
  return { rate: format.rate, dropFrame: false, timecode: frameToTimecode(0, { ...format, dropFrame: false }) };
}

/** How output frame numbers map to timecodes: the format they are counted in and frame 0's count. */
export interface TimecodeClock {
  format: TimecodeFormat;
  /** Frame count from 00:00:00:00 of output frame 0. */
  origin: number;
}

/**
 * The timecode of the output frames, counted at the output rate (one label per frame the viewer
 * steps through) from the source's start timecode. When the output rate differs from the source's
 * (--frame-rate-num/den), the start's HH:MM:SS is kept and its FF scaled to the output rate, and
 * drop-frame is kept only when the output rate has it.
 */
export function timecodeClock(start: StartTimecode, outputRate: TimecodeRate): TimecodeClock {
  const sameRate = start.rate.num * outputRate.den === outputRate.num * start.rate.den;
  const format = { rate: { num: outputRate.num, den: outputRate.den }, dropFrame: start.dropFrame && canDropFrame(outputRate) };
  if (sameRate) return { format, origin: timecodeToFrame(start.timecode, start) };
  const [hours, minutes, seconds, , frames] = TIMECODE_PATTERN.exec(start.timecode)!.slice(1).map(Number);
  const scaled = Math.floor((frames * timecodeBase(outputRate)) / timecodeBase(start.rate));
  const text = `${two(hours)}:${two(minutes)}:${two(seconds)}:${two(scaled)}`;
  try {
    return { format, origin: timecodeToFrame(text, format) };
  } catch {
    // A label the output's drop-frame count skips (HH:MM:00;00): the next one that exists.
    return { format, origin: timecodeToFrame(`${text.slice(0, 9)}${two(droppedPerMinute(timecodeBase(outputRate)))}`, format) };
  }
}

/** The timecode of output frame `n`. */
export const timecodeOf = (n: number, clock: TimecodeClock): string => frameToTimecode(clock.origin + n, clock.format);

/** The output frame of a timecode (negative when before the start); throws a TimecodeError when it is not one. */
export const frameOfTimecode = (text: string, clock: TimecodeClock): number => timecodeToFrame(text, clock.format) - clock.origin;
