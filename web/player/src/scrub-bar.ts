/**
 * The scrub bar: the position along the stream, dragged to seek. The arithmetic (bar position ↔
 * frame, one seek at a time while dragging) is pure; ScrubBar is its element.
 */
import { h } from './dom';
import type { PlayerPart } from './part';
import type { PlaybackView } from './playback-state';
import type { ServerMessage } from './protocol';

/** The frame at a place along the bar, a fraction of its width (0 the first frame, 1 the last; clamped). */
export function frameAtFraction(fraction: number, frameCount: number): number {
  if (frameCount <= 1 || Number.isNaN(fraction)) return 0;
  return Math.round(Math.min(1, Math.max(0, fraction)) * (frameCount - 1));
}

/** Where a frame sits along the bar, as a fraction of its width. */
export function fractionOfFrame(frame: number, frameCount: number): number {
  if (frameCount <= 1) return 0;
  return Math.min(1, Math.max(0, frame / (frameCount - 1)));
}

/** The fraction of the bar under a pointer at `clientX`, for the bar's box. */
export const fractionAt = (clientX: number, box: { left: number; width: number }): number =>
  box.width > 0 ? (clientX - box.left) / box.width : 0;

/**
 * One seek in flight at a time while dragging, the latest position winning: a drag across the bar
 * asks for the frames the JIT can show, not a queue of every pixel. A seek unanswered after
 * `timeoutMs` no longer holds the next one back.
 */
export class SeekPacer {
  private sentAt: number | null = null;
  private waiting: number | null = null;

  constructor(
    private readonly timeoutMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A new target: the frame to seek to now, or null when it waits for the seek in flight. */
  request(frame: number): number | null {
    if (this.sentAt !== null && this.now() - this.sentAt < this.timeoutMs) {
      this.waiting = frame;
      return null;
    }
    this.sentAt = this.now();
    this.waiting = null;
    return frame;
  }

  /** The JIT answered a seek: the frame to seek to next, if one is waiting. */
  settled(): number | null {
    const next = this.waiting;
    this.waiting = null;
    this.sentAt = next === null ? null : this.now();
    return next;
  }
}

export class ScrubBar implements PlayerPart {
  readonly element: HTMLDivElement;
  private readonly played = h('div', { class: 'scrub-played' });
  private readonly head = h('div', { class: 'scrub-head' });
  /** The in→out span, and the in and out marks at its ends. */
  private readonly range = h('div', { class: 'scrub-range', hidden: true });
  private readonly inMark = h('div', { id: 'scrub-in', class: 'scrub-mark scrub-in', title: 'in point', hidden: true });
  private readonly outMark = h('div', { id: 'scrub-out', class: 'scrub-mark scrub-out', title: 'out point', hidden: true });
  private readonly pacer = new SeekPacer();
  private frameCount = 0;
  /** The frame under the pointer while dragging (the bar shows it rather than the stream's). */
  private dragged: number | null = null;

  constructor(private readonly seek: (frame: number) => void) {
    this.element = h(
      'div',
      { id: 'scrub', class: 'scrub', role: 'slider', 'aria-label': 'Position (frame)', 'aria-valuemin': 0 },
      h('div', { class: 'scrub-track' }, this.played, this.range, this.inMark, this.outMark, this.head),
    );
    this.element.addEventListener('pointerdown', (event) => {
      if (!this.frameCount || event.button !== 0) return;
      this.element.setPointerCapture(event.pointerId);
      this.dragTo(event.clientX);
    });
    this.element.addEventListener('pointermove', (event) => {
      if (this.dragged !== null) this.dragTo(event.clientX);
    });
    const release = () => {
      this.dragged = null;
    };
    this.element.addEventListener('pointerup', release);
    this.element.addEventListener('pointercancel', release);
  }

  render(view: PlaybackView, connected: boolean): void {
    this.frameCount = connected ? (view.frameCount ?? 0) : 0;
    this.element.classList.toggle('off', !this.frameCount);
    this.element.setAttribute('aria-valuemax', String(Math.max(0, this.frameCount - 1)));
    if (this.dragged === null) this.paint(connected ? view.frame : null);
    this.paintMarks(connected ? view : null);
  }

  /** In and out marks where set; the span between them (to the stream's start or end where one is unset) where either is. */
  private paintMarks(view: PlaybackView | null): void {
    const at = (frame: number) => `${fractionOfFrame(frame, this.frameCount) * 100}%`;
    const inPoint = view?.inPoint ?? null;
    const outPoint = view?.outPoint ?? null;
    this.inMark.hidden = inPoint === null;
    this.outMark.hidden = outPoint === null;
    this.range.hidden = inPoint === null && outPoint === null;
    if (inPoint !== null) this.inMark.style.left = at(inPoint);
    if (outPoint !== null) this.outMark.style.left = at(outPoint);
    this.range.style.left = at(inPoint ?? 0);
    this.range.style.right = `${100 - fractionOfFrame(outPoint ?? this.frameCount - 1, this.frameCount) * 100}%`;
    this.range.classList.toggle('looping', Boolean(view?.loop));
  }

  message(message: ServerMessage): void {
    if (message.type !== 'seeked' && message.type !== 'error') return;
    const next = this.pacer.settled();
    if (next !== null) this.seek(next);
  }

  private dragTo(clientX: number): void {
    const frame = frameAtFraction(fractionAt(clientX, this.element.getBoundingClientRect()), this.frameCount);
    if (frame === this.dragged) return;
    this.dragged = frame;
    this.paint(frame);
    const now = this.pacer.request(frame);
    if (now !== null) this.seek(now);
  }

  private paint(frame: number | null): void {
    const percent = frame === null ? 0 : fractionOfFrame(frame, this.frameCount) * 100;
    this.played.style.width = `${percent}%`;
    this.head.style.left = `${percent}%`;
    this.head.hidden = frame === null;
    this.element.setAttribute('aria-valuenow', String(frame ?? 0));
  }
}
