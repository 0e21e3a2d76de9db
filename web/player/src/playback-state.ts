/**
 * The transport as the JIT reports it, updated message by message, and the commands the player's
 * actions become. Pure: no DOM, no channel (the player feeds it messages and sends what it returns).
 */
import type { ControlMessage, FrameRate, PlaybackState, ServerMessage } from './protocol';
import { parsePosition } from './timecode';

export interface PlaybackView {
  /** null until the stream's first `state` message. */
  state: PlaybackState | null;
  frame: number | null;
  /** The timecode of `frame`, as the JIT counts it (from the source's start timecode). */
  tc: string | null;
  frameCount: number | null;
  rate: FrameRate | null;
  /** The first channel of the audio pair heard; null without audio. */
  audioOffset: number | null;
  /** Channels of the audio row (all audio inputs side by side). */
  audioChannels: number;
  /** The in and out points (frames; null: unset) and whether play loops between them. */
  inPoint: number | null;
  outPoint: number | null;
  loop: boolean;
}

/** Before the stream says anything. */
export const NO_PLAYBACK: PlaybackView = Object.freeze({
  state: null,
  frame: null,
  tc: null,
  frameCount: null,
  rate: null,
  audioOffset: null,
  audioChannels: 0,
  inPoint: null,
  outPoint: null,
  loop: false,
});

/** The view after a message from the JIT (an `error` changes nothing: the player shows it). */
export function applyMessage(view: PlaybackView, message: ServerMessage): PlaybackView {
  switch (message.type) {
    case 'state':
      return {
        state: message.state,
        frame: message.frame,
        tc: message.tc,
        frameCount: message.frameCount,
        rate: message.frameRate,
        audioOffset: message.audioOffset,
        audioChannels: message.audioChannels,
        inPoint: message.in?.frame ?? null,
        outPoint: message.out?.frame ?? null,
        loop: message.loop,
      };
    case 'seeked':
    case 'frame':
      return view.frame === message.frame && view.tc === message.tc ? view : { ...view, frame: message.frame, tc: message.tc };
    case 'error':
      return view;
  }
}

/** The last frame of the stream (0 while its length is unknown). */
export const lastFrame = (view: PlaybackView): number => (view.frameCount ? view.frameCount - 1 : 0);

/** What a viewer asks of the stream, from a button, a key, the scrub bar or the audio pair. */
export type TransportAction =
  | { action: 'toggle' }
  | { action: 'play' }
  | { action: 'pause' }
  | { action: 'step'; frames: number }
  | { action: 'first' }
  | { action: 'last' }
  | { action: 'seek'; frame: number }
  | { action: 'seek-timecode'; tc: string }
  | { action: 'audio'; offset: number }
  | { action: 'mark'; point: 'in' | 'out' }
  | { action: 'clear-mark'; point?: 'in' | 'out' }
  | { action: 'toggle-loop' };

/** The command for an action, given where the transport is. */
export function commandFor(action: TransportAction, view: PlaybackView): ControlMessage {
  switch (action.action) {
    case 'toggle':
      return { type: view.state === 'playing' ? 'pause' : 'play' };
    case 'play':
    case 'pause':
      return { type: action.action };
    case 'step':
      return { type: 'step', frames: action.frames };
    case 'first':
      return { type: 'seek', frame: 0 };
    case 'last':
      return { type: 'seek', frame: lastFrame(view) };
    case 'seek':
      return { type: 'seek', frame: Math.max(0, view.frameCount ? Math.min(action.frame, lastFrame(view)) : action.frame) };
    case 'seek-timecode':
      return { type: 'seek', tc: action.tc };
    case 'audio':
      return { type: 'audio', offset: action.offset };
    // At the frame on screen as the JIT knows it: exact while playing too.
    case 'mark':
      return { type: action.point === 'in' ? 'setIn' : 'setOut' };
    case 'clear-mark':
      return action.point ? { type: 'clearInOut', point: action.point } : { type: 'clearInOut' };
    case 'toggle-loop':
      return { type: 'loop', on: !view.loop };
  }
}

/** The seek for a position typed in the go-to field (frame number or timecode); throws an Error a user can read. */
export function goToAction(text: string, view: PlaybackView): TransportAction {
  if (!view.rate) throw new Error('the stream has not said its frame rate yet');
  const position = parsePosition(text, view.rate);
  if ('tc' in position) return { action: 'seek-timecode', tc: position.tc };
  const last = lastFrame(view);
  if (position.frame > last) throw new Error(`frame ${position.frame} is past the last frame, ${last}`);
  return { action: 'seek', frame: position.frame };
}

/** The audio pairs to choose from: C and C+1 of the audio row, named counting from 1; the last channel plays alone. */
export function audioPairs(channels: number): { offset: number; label: string }[] {
  return Array.from({ length: channels }, (_, c) => ({ offset: c, label: c + 1 < channels ? `${c + 1}–${c + 2}` : `${c + 1} (alone)` }));
}
