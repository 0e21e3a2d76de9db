/**
 * The player's controls and readouts: play/pause and step buttons, timecode, frame and state,
 * go to a frame or timecode, in/out points and loop, the audio pair heard, mute.
 */
import { h, messageOf } from './dom';
import type { PlayerPart } from './part';
import { audioPairs, goToAction, type PlaybackView, type TransportAction } from './playback-state';

/** What the controls drive. */
export interface ControlsHost {
  readonly video: HTMLVideoElement;
  act(action: TransportAction): void;
  view(): PlaybackView;
  showError(error: unknown): void;
}

const button = (id: string, label: string, title?: string) => h('button', { id, type: 'button', disabled: true, title }, label);

export class Controls implements PlayerPart {
  private readonly stepBack = button('step-back', '◀︎ 1', 'One frame back (← or J; shift+← ten)');
  private readonly playPause = button('play-pause', 'Play', 'Play / pause (space, L plays, K pauses)');
  private readonly stepFwd = button('step-fwd', '1 ▶︎', 'One frame forward (→; shift+→ ten)');
  private readonly timecode = h('span', { id: 'timecode', title: 'timecode HH:MM:SS:FF' }, '--:--:--:--');
  private readonly frame = h('output', { id: 'frame' }, '–');
  private readonly frameCount = h('output', { id: 'frame-count' }, '–');
  private readonly state = h('output', { id: 'state' }, 'not connected');
  private readonly size = h('output', { id: 'picture-size', title: 'picture size' });
  private readonly goto = h('input', {
    id: 'goto',
    type: 'text',
    placeholder: 'frame or HH:MM:SS:FF',
    disabled: true,
    autocomplete: 'off',
  });
  private readonly gotoButton = button('goto-btn', 'Go');
  private readonly audioPair = h('select', { id: 'audio-pair', disabled: true }, new Option('no audio', ''));
  private readonly mute = button('mute', 'Mute');
  private readonly markIn = button('mark-in', 'In', 'In point at this frame (I; Alt+I clears)');
  private readonly markOut = button('mark-out', 'Out', 'Out point at this frame (O; Alt+O clears)');
  private readonly loop = button('loop', 'Loop', 'Loop in → out (/)');
  private readonly inOut = h('output', { id: 'in-out', title: 'in and out points (frames)' }, '');
  private audioChannels = 0;
  /** Where a page puts controls of its own, at the end of the second row. */
  readonly slot = h('span', { class: 'page-controls' });
  readonly rows: HTMLElement[];

  constructor(private readonly host: ControlsHost) {
    this.rows = [
      h(
        'div',
        { class: 'transport' },
        this.stepBack,
        this.playPause,
        this.stepFwd,
        h(
          'span',
          { class: 'position' },
          this.timecode,
          h('span', {}, 'frame ', this.frame, ' of ', this.frameCount),
          this.state,
          this.size,
        ),
      ),
      h(
        'div',
        { class: 'transport' },
        h('label', { for: 'goto' }, 'Go to'),
        this.goto,
        this.gotoButton,
        this.markIn,
        this.markOut,
        this.loop,
        this.inOut,
        h('label', { for: 'audio-pair' }, 'Audio pair'),
        this.audioPair,
        this.mute,
        h('span', { class: 'spacer' }),
        this.slot,
      ),
    ];
    this.playPause.addEventListener('click', () => host.act({ action: 'toggle' }));
    this.stepBack.addEventListener('click', () => host.act({ action: 'step', frames: -1 }));
    this.stepFwd.addEventListener('click', () => host.act({ action: 'step', frames: 1 }));
    this.gotoButton.addEventListener('click', () => this.goTo());
    this.markIn.addEventListener('click', () => host.act({ action: 'mark', point: 'in' }));
    this.markOut.addEventListener('click', () => host.act({ action: 'mark', point: 'out' }));
    this.loop.addEventListener('click', () => host.act({ action: 'toggle-loop' }));
    this.goto.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.goTo();
    });
    this.audioPair.addEventListener('change', () => {
      if (this.audioPair.value !== '') host.act({ action: 'audio', offset: Number(this.audioPair.value) });
    });
    this.mute.addEventListener('click', () => {
      host.video.muted = !host.video.muted;
      if (!host.video.muted) host.video.play().catch(() => {});
    });
    host.video.addEventListener('resize', () => this.renderSize());
    host.video.addEventListener('volumechange', () => (this.mute.textContent = host.video.muted ? 'Unmute' : 'Mute'));
  }

  render(view: PlaybackView, connected: boolean): void {
    for (const control of [
      this.stepBack,
      this.playPause,
      this.stepFwd,
      this.goto,
      this.gotoButton,
      this.markIn,
      this.markOut,
      this.loop,
      this.mute,
    ])
      control.disabled = !connected;
    this.audioPair.disabled = !connected || view.audioChannels === 0;
    this.playPause.textContent = view.state === 'playing' ? 'Pause' : 'Play';
    this.state.textContent = connected ? (view.state ?? 'connecting') : 'not connected';
    this.frame.textContent = connected && view.frame !== null ? String(view.frame) : '–';
    this.timecode.textContent = connected && view.tc !== null ? view.tc : '--:--:--:--';
    this.frameCount.textContent = connected && view.frameCount !== null ? String(view.frameCount) : '–';
    this.mute.textContent = this.host.video.muted ? 'Unmute' : 'Mute';
    this.loop.setAttribute('aria-pressed', String(connected && view.loop));
    const marked = connected && (view.inPoint !== null || view.outPoint !== null);
    this.inOut.textContent = marked ? `${view.inPoint ?? 'start'} → ${view.outPoint ?? 'end'}` : '';
    if (view.audioChannels !== this.audioChannels || !connected) this.renderAudioPairs(connected ? view.audioChannels : 0);
    if (view.audioOffset !== null && this.audioPair.value !== String(view.audioOffset)) this.audioPair.value = String(view.audioOffset);
    this.renderSize();
  }

  private renderAudioPairs(channels: number): void {
    this.audioChannels = channels;
    const options = audioPairs(channels).map((pair) => new Option(pair.label, String(pair.offset)));
    this.audioPair.replaceChildren(...(options.length ? options : [new Option('no audio', '')]));
  }

  private renderSize(): void {
    const { videoWidth: width, videoHeight: height } = this.host.video;
    this.size.textContent = width && !this.playPause.disabled ? `${width}×${height}` : '';
  }

  private goTo(): void {
    try {
      const action = goToAction(this.goto.value, this.host.view());
      this.host.showError('');
      this.host.act(action);
    } catch (error) {
      this.host.showError(messageOf(error));
    }
  }
}
