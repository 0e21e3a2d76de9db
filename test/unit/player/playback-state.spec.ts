import {
  NO_PLAYBACK,
  applyMessage,
  audioPairs,
  commandFor,
  goToAction,
  lastFrame,
  type PlaybackView,
} from '../../../web/player/src/playback-state';

const rate = { num: 25, den: 1 };
const paused: PlaybackView = {
  state: 'paused',
  frame: 0,
  tc: '10:00:00:00',
  frameCount: 250,
  rate,
  audioOffset: 0,
  audioChannels: 5,
  inPoint: null,
  outPoint: null,
  loop: false,
};

describe('the playback view', () => {
  it('takes the whole transport from a state message', () => {
    const view = applyMessage(NO_PLAYBACK, {
      type: 'state',
      state: 'playing',
      frame: 7,
      tc: '10:00:00:07',
      frameCount: 250,
      frameRate: rate,
      audioOffset: 3,
      audioChannels: 5,
      in: { frame: 5, tc: '10:00:00:05' },
      out: null,
      loop: true,
    });
    expect(view).toEqual({
      state: 'playing',
      frame: 7,
      tc: '10:00:00:07',
      frameCount: 250,
      rate,
      audioOffset: 3,
      audioChannels: 5,
      inPoint: 5,
      outPoint: null,
      loop: true,
    });
  });

  it('moves the frame on seeked and frame messages, keeping the rest', () => {
    const seeked = applyMessage(paused, { type: 'seeked', frame: 120, tc: '10:00:04:20' });
    expect(seeked).toEqual({ ...paused, frame: 120, tc: '10:00:04:20' });
    expect(applyMessage(seeked, { type: 'frame', frame: 121, tc: '10:00:04:21' })).toEqual({ ...paused, frame: 121, tc: '10:00:04:21' });
    expect(applyMessage(seeked, { type: 'frame', frame: 120, tc: '10:00:04:20' })).toBe(seeked);
    expect(paused.frame).toBe(0);
  });

  it('changes nothing on an error', () => {
    expect(applyMessage(paused, { type: 'error', message: 'frame 300 is out of range' })).toBe(paused);
  });

  it('knows its last frame once the stream says its length', () => {
    expect(lastFrame(paused)).toBe(249);
    expect(lastFrame(NO_PLAYBACK)).toBe(0);
  });
});

describe('commands', () => {
  it('toggle plays when paused or ended, pauses when playing', () => {
    expect(commandFor({ action: 'toggle' }, paused)).toEqual({ type: 'play' });
    expect(commandFor({ action: 'toggle' }, { ...paused, state: 'ended' })).toEqual({ type: 'play' });
    expect(commandFor({ action: 'toggle' }, { ...paused, state: 'playing' })).toEqual({ type: 'pause' });
    expect(commandFor({ action: 'toggle' }, NO_PLAYBACK)).toEqual({ type: 'play' });
  });

  it('steps, jumps to the ends and seeks within the stream', () => {
    expect(commandFor({ action: 'step', frames: -10 }, paused)).toEqual({ type: 'step', frames: -10 });
    expect(commandFor({ action: 'first' }, paused)).toEqual({ type: 'seek', frame: 0 });
    expect(commandFor({ action: 'last' }, paused)).toEqual({ type: 'seek', frame: 249 });
    expect(commandFor({ action: 'seek', frame: 300 }, paused)).toEqual({ type: 'seek', frame: 249 });
    expect(commandFor({ action: 'seek', frame: -4 }, paused)).toEqual({ type: 'seek', frame: 0 });
    expect(commandFor({ action: 'seek', frame: 300 }, NO_PLAYBACK)).toEqual({ type: 'seek', frame: 300 });
    expect(commandFor({ action: 'audio', offset: 2 }, paused)).toEqual({ type: 'audio', offset: 2 });
  });

  it('marks in and out at the frame on screen, clears them and toggles loop', () => {
    expect(commandFor({ action: 'mark', point: 'in' }, paused)).toEqual({ type: 'setIn' });
    expect(commandFor({ action: 'mark', point: 'out' }, paused)).toEqual({ type: 'setOut' });
    expect(commandFor({ action: 'clear-mark', point: 'in' }, paused)).toEqual({ type: 'clearInOut', point: 'in' });
    expect(commandFor({ action: 'clear-mark' }, paused)).toEqual({ type: 'clearInOut' });
    expect(commandFor({ action: 'toggle-loop' }, paused)).toEqual({ type: 'loop', on: true });
    expect(commandFor({ action: 'toggle-loop' }, { ...paused, loop: true })).toEqual({ type: 'loop', on: false });
  });

  it('go to: a frame number or timecode within the stream, or why not', () => {
    expect(goToAction('120', paused)).toEqual({ action: 'seek', frame: 120 });
    expect(goToAction('10:00:06:05', paused)).toEqual({ action: 'seek-timecode', tc: '10:00:06:05' });
    expect(commandFor({ action: 'seek-timecode', tc: '10:00:06:05' }, paused)).toEqual({ type: 'seek', tc: '10:00:06:05' });
    expect(() => goToAction('250', paused)).toThrow('frame 250 is past the last frame, 249');
    expect(() => goToAction('00:00:03:25', paused)).toThrow(/frames go up to 24/);
    expect(() => goToAction('12', NO_PLAYBACK)).toThrow('the stream has not said its frame rate yet');
  });
});

describe('audio pairs', () => {
  it('pair each channel with the next, counting from 1; the last plays alone', () => {
    expect(audioPairs(5).map((p) => p.label)).toEqual(['1–2', '2–3', '3–4', '4–5', '5 (alone)']);
    expect(audioPairs(2)).toEqual([
      { offset: 0, label: '1–2' },
      { offset: 1, label: '2 (alone)' },
    ]);
    expect(audioPairs(0)).toEqual([]);
  });
});
