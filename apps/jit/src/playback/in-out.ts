/**
 * In and out points and loop, as review players have them (OpenRV, Accurate Player): the marks
 * bound what play covers; with loop on it goes from out back to in, with loop off it stops at out.
 * Pure, so the play run and its spec share it.
 */

export interface InOut {
  in: number | null;
  out: number | null;
  loop: boolean;
}

export const NO_MARKS: InOut = Object.freeze({ in: null, out: null, loop: false });

/** The frames play covers: in to out, the stream's start or end where a mark is unset. */
export function playRange(marks: InOut, frameCount: number): { first: number; last: number } {
  return { first: marks.in ?? 0, last: marks.out ?? frameCount - 1 };
}

/** Where play starts from the frame on screen: at in when that is outside the range or at its end (as at the stream's end). */
export function playStart(frame: number, marks: InOut, frameCount: number): number {
  const { first, last } = playRange(marks, frameCount);
  return frame < first || frame >= last ? first : frame;
}

/** The frame play sends after `n`: the next one, in again after out when looping, null to stop. */
export function nextFrame(n: number, marks: InOut, frameCount: number): number | null {
  const { first, last } = playRange(marks, frameCount);
  if (n < last) return n + 1;
  return marks.loop ? first : null;
}

/**
 * The marks with one set: an in point after the out point (or an out before the in) drops the
 * other, as editors do, so that in ≤ out always holds.
 */
export function withMark(marks: InOut, point: 'in' | 'out', frame: number): InOut {
  if (point === 'in') return { ...marks, in: frame, out: marks.out !== null && marks.out < frame ? null : marks.out };
  return { ...marks, out: frame, in: marks.in !== null && marks.in > frame ? null : marks.in };
}
