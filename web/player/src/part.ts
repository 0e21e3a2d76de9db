/**
 * A part of the player (transport, readouts, scrub bar; later loop markers, thumbnails, audio
 * meters): it renders the playback view and may watch the messages from the JIT.
 */
import type { PlaybackView } from './playback-state';
import type { ServerMessage } from './protocol';

export interface PlayerPart {
  /** Brings the part up to date: the transport as the JIT reported it, and whether a stream is connected. */
  render(view: PlaybackView, connected: boolean): void;
  /** Each message from the JIT, after the view took it in. */
  message?(message: ServerMessage): void;
}
