/**
 * The review player: a stream's picture and sound, its transport over the control channel, and
 * the parts that show and drive it. Both pages build one and add only what is theirs: the JIT's
 * page connects to its JIT, the orchestrator's starts sessions and watches their streams.
 * A new review feature is a PlayerPart (use()), with its actions in playback-state.ts and its keys
 * in keys.ts.
 */
import { Controls } from './controls';
import { h, messageOf } from './dom';
import { KeyList } from './key-list';
import { KEYS_HINT, shortcutOf } from './keys';
import type { PlayerPart } from './part';
import { NO_PLAYBACK, applyMessage, commandFor, type PlaybackView, type TransportAction } from './playback-state';
import { readServerMessage, type ControlMessage } from './protocol';
import { ScrubBar } from './scrub-bar';
import { connectWhep, type WhepStream } from './whep-client';

export interface WatchOptions {
  /** The session's STUN/TURN servers. */
  iceServers?: RTCIceServer[];
  /** The stream went away by itself (not through stop()), for this reason; the player shows it already. */
  onLost?(reason: string): void;
}

export class Player {
  readonly element: HTMLElement;
  readonly video = h('video', { id: 'video', playsinline: true });
  private readonly errorLine = h('div', { id: 'error', role: 'alert' });
  private readonly controls: Controls;
  private readonly parts: PlayerPart[] = [];
  private readonly keyList = new KeyList();
  private playback: PlaybackView = NO_PLAYBACK;
  private stream: WhepStream | null = null;
  /** Counts watch() and stop() calls: what a connection does after a newer call is dropped. */
  private generation = 0;

  constructor(mount: HTMLElement) {
    this.controls = new Controls({
      video: this.video,
      act: (action) => this.act(action),
      view: () => this.playback,
      showError: (error) => this.showError(error),
    });
    const scrub = new ScrubBar((frame) => this.act({ action: 'seek', frame }));
    this.element = h(
      'section',
      { class: 'player', 'aria-label': 'Player' },
      h('div', { class: 'screen' }, this.video),
      scrub.element,
      ...this.controls.rows,
      this.errorLine,
      this.keyList.element,
      h(
        'p',
        { class: 'hint' },
        `${KEYS_HINT} Timecode is the source's own, from its start timecode (drop-frame ones with ; before the frames).`,
      ),
    );
    mount.append(this.element);
    this.use(this.controls);
    this.use(scrub);

    document.addEventListener('keydown', (event) => {
      const action = shortcutOf(event);
      // The key list is the page's own: it opens without a stream too.
      if (action?.action === 'key-list') {
        if (action.show === false && this.keyList.element.hidden) return; // Esc left to others
        event.preventDefault();
        this.keyList.show(action.show);
        return;
      }
      if (!action || !this.connected) return;
      event.preventDefault(); // no page scroll, no click on a focused button
      this.act(action);
    });
    // A focused button is clicked on space's keyup: space is play/pause wherever the focus is.
    document.addEventListener('keyup', (event) => {
      if (this.connected && shortcutOf(event)?.action === 'toggle') event.preventDefault();
    });
    window.addEventListener('pagehide', () => void this.stream?.close(true));
  }

  /** Adds a part: it renders with the others from now on. */
  use(part: PlayerPart): void {
    this.parts.push(part);
    part.render(this.playback, this.connected);
  }

  /** Puts a page's own controls beside the player's, at the end of its second row. */
  addControls(...nodes: Node[]): void {
    this.controls.slot.append(...nodes);
  }

  get connected(): boolean {
    return this.stream !== null;
  }

  /** The transport as the JIT last reported it. */
  get view(): PlaybackView {
    return this.playback;
  }

  /** Plays the stream at `whepUrl` (after leaving any other); resolves once it is connected, rejects with an Error a user can read. */
  async watch(whepUrl: string, options: WatchOptions = {}): Promise<void> {
    await this.stop();
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.showError('');
    let stream: WhepStream;
    try {
      stream = await connectWhep(whepUrl, {
        iceServers: options.iceServers,
        onMessage: (data) => current() && this.receive(data),
        onStream: (media) => current() && this.show(media),
        onClosed: (reason) => current() && this.stream === stream && this.lost(reason, options.onLost),
      });
    } catch (error) {
      if (current()) this.video.srcObject = null;
      throw error;
    }
    if (!current()) {
      await stream.close();
      throw new Error('the connection was given up');
    }
    this.stream = stream;
    this.render();
  }

  /** Leaves the stream (DELETE of its WHEP resource); a watch() under way is given up. */
  async stop(): Promise<void> {
    this.generation++;
    const stream = this.stream;
    this.stream = null;
    this.playback = NO_PLAYBACK;
    this.video.srcObject = null;
    this.render();
    if (stream) await stream.close();
  }

  act(action: TransportAction): void {
    this.send(commandFor(action, this.playback));
  }

  /** Sends a command to the JIT; a failure is shown, not thrown. */
  send(command: ControlMessage): void {
    try {
      if (!this.stream) throw new Error('not connected to a stream');
      this.stream.send(command);
    } catch (error) {
      this.showError(error);
    }
  }

  /** Shows an error under the player ('' clears it). */
  showError(error: unknown): void {
    this.errorLine.textContent = error ? messageOf(error) : '';
  }

  private receive(data: unknown): void {
    const received = readServerMessage(data);
    if ('ignored' in received) return;
    if ('invalid' in received) {
      this.showError(`unreadable message from the stream: ${received.invalid}`);
      return;
    }
    const { message } = received;
    this.playback = applyMessage(this.playback, message);
    if (message.type === 'error') this.showError(`stream: ${message.message}`);
    for (const part of this.parts) part.message?.(message);
    this.render();
  }

  private show(media: MediaStream): void {
    if (this.video.srcObject === media) return;
    this.video.srcObject = media;
    // Sound on where the browser allows it (the click that started the stream usually does).
    this.video.muted = false;
    this.video.play().catch(() => {
      this.video.muted = true;
      return this.video.play().catch(() => {});
    });
  }

  private lost(reason: string, onLost?: (reason: string) => void): void {
    this.stream = null;
    this.video.srcObject = null;
    this.render();
    this.showError(reason);
    onLost?.(reason);
  }

  private render(): void {
    for (const part of this.parts) part.render(this.playback, this.connected);
  }
}
