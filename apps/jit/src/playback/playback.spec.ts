import type { Logger } from '@jit/logging';
import { type ControlMessage, type ServerMessage, startTimecode, timecodeClock } from '@jit/protocol';
import { FrameTiming } from '../media/rational';
import type { EncodedFrames } from '../media/video-pipeline';
import type { VideoRtpOutput } from '../webrtc/rtp-outputs';
import { nextFrame, playStart, withMark } from './in-out';
import { Playback } from './playback';

// Playback takes only two constants from the audio modules; their node-av (ESM) stays out of Jest.
jest.mock('../media/audio-program', () => ({ AUDIO_BLOCK: 960 }));
jest.mock('../media/audio-reader', () => ({ AUDIO_RATE: 48_000 }));

/** 50 fps, so a spec plays a few loops in well under a second. */
const rate = { num: 50, den: 1 };
const FRAMES = 20;

/** A Playback over fake pictures ({n, keyframe}) whose sends and messages are recorded. */
function playback() {
  const sent: { n: number; keyframe: boolean; at: number }[] = [];
  const messages: ServerMessage[] = [];
  const frames = { frame: async (n: number, keyframe: boolean) => ({ n, keyframe }) } as unknown as EncodedFrames;
  const video = { send: (p: { n: number; keyframe: boolean }) => sent.push({ ...p, at: performance.now() }) } as unknown as VideoRtpOutput;
  const log = { debug: () => {}, error: () => {} } as unknown as Logger;
  const p = new Playback({
    frames,
    timing: new FrameTiming(rate, rate, { num: 1, den: 50 }, 0n),
    timecode: timecodeClock(startTimecode('01:00:00:00', rate), rate),
    video,
    frameCount: FRAMES,
    emit: (m) => messages.push(m),
    log,
  });
  const run = (...commands: ControlMessage[]) => Promise.all(commands.map((c) => p.command(c)));
  /** Resolves once `count` frames were played (sent by a play run: `frame` messages). */
  const played = async (count: number) => {
    const plays = () => messages.filter((m) => m.type === 'frame').map((m) => (m as { frame: number }).frame);
    for (let i = 0; i < 200 && plays().length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return plays().slice(0, count);
  };
  const lastState = () => messages.filter((m) => m.type === 'state').at(-1) as Extract<ServerMessage, { type: 'state' }>;
  return { p, sent, messages, run, played, lastState };
}

describe('in/out points and loop, pure', () => {
  const marks = { in: 3, out: 6, loop: true };
  it('wrap from out to in when looping, stop at out otherwise', () => {
    expect([3, 4, 5, 6].map((n) => nextFrame(n, marks, FRAMES))).toEqual([4, 5, 6, 3]);
    expect(nextFrame(6, { ...marks, loop: false }, FRAMES)).toBeNull();
    expect(nextFrame(19, { in: null, out: null, loop: false }, FRAMES)).toBeNull();
    expect(nextFrame(19, { in: null, out: null, loop: true }, FRAMES)).toBe(0);
    expect(nextFrame(9, marks, FRAMES)).toBe(3); // out moved before the frame on screen
  });

  it('start play at in from outside the range or from out', () => {
    expect([0, 3, 5, 6, 12].map((n) => playStart(n, marks, FRAMES))).toEqual([3, 3, 5, 3, 3]);
    expect(playStart(19, { in: null, out: null, loop: false }, FRAMES)).toBe(0);
  });

  it('keep in ≤ out: a mark past the other drops it', () => {
    expect(withMark(marks, 'in', 8)).toEqual({ in: 8, out: null, loop: true });
    expect(withMark(marks, 'out', 2)).toEqual({ in: null, out: 2, loop: true });
    expect(withMark(marks, 'out', 3)).toEqual({ in: 3, out: 3, loop: true });
  });
});

describe('Playback with in/out points', () => {
  it('loops in → out exactly and repeatedly, a keyframe at each jump back, at the frame rate', async () => {
    const { p, sent, run, played, lastState } = playback();
    await p.start();
    await run({ type: 'seek', frame: 3 }, { type: 'setIn' }, { type: 'setOut', tc: '01:00:00:06' }, { type: 'loop', on: true });
    expect(lastState()).toMatchObject({ in: { frame: 3, tc: '01:00:00:03' }, out: { frame: 6, tc: '01:00:00:06' }, loop: true });
    expect(p.snapshot).toMatchObject({ in: 3, out: 6, loop: true });
    const from = sent.length;
    await run({ type: 'play' });
    expect(await played(13)).toEqual([4, 5, 6, 3, 4, 5, 6, 3, 4, 5, 6, 3, 4]);
    await run({ type: 'pause' });
    await p.close();
    expect(
      sent
        .slice(from)
        .filter((s) => s.n === 3)
        .every((s) => s.keyframe),
    ).toBe(true);
    // The jump back is one frame's time after out, like any other frame (20 ms at 50 fps).
    const wraps = sent.flatMap((s, i) => (i > from && s.n === 3 && sent[i - 1].n === 6 ? [s.at - sent[i - 1].at] : []));
    expect(wraps.length).toBeGreaterThanOrEqual(3);
    for (const gap of wraps) expect(gap).toBeLessThan(60);
  });

  it('stops at out, paused there, when loop is off; play again starts at in', async () => {
    const { p, run, played, lastState, sent } = playback();
    await p.start();
    await run({ type: 'setIn', frame: 2 }, { type: 'setOut', frame: 5 }, { type: 'seek', frame: 3 }, { type: 'play' });
    expect(await played(2)).toEqual([4, 5]);
    for (let i = 0; i < 50 && lastState().state !== 'paused'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lastState()).toMatchObject({ state: 'paused', frame: 5 });
    await run({ type: 'play' });
    expect(await played(5)).toEqual([4, 5, 3, 4, 5]);
    expect(sent.some((s) => s.n === 2 && s.keyframe)).toBe(true); // shown at in before playing on
    await p.close();
  });

  it('takes new marks while playing, without a restart', async () => {
    const { p, run, played } = playback();
    await p.start();
    await run({ type: 'loop', on: true }, { type: 'play' });
    await played(2);
    await run({ type: 'setOut', frame: 4 }, { type: 'setIn', frame: 1 });
    const plays = await played(12);
    const afterMarks = plays.slice(plays.lastIndexOf(1));
    expect(afterMarks.every((n) => n >= 1 && n <= 4)).toBe(true);
    expect(plays.join()).toContain('1,2,3,4,1,2');
    await p.close();
  });

  it('clears the marks and refuses ones outside the stream', async () => {
    const { p, run, messages, lastState } = playback();
    await p.start();
    await run({ type: 'setIn', frame: 4 }, { type: 'setOut', frame: 9 }, { type: 'clearInOut', point: 'in' });
    expect(lastState()).toMatchObject({ in: null, out: { frame: 9 } });
    await run({ type: 'setIn', frame: 12 }); // after out: out goes
    expect(lastState()).toMatchObject({ in: { frame: 12 }, out: null });
    await run({ type: 'clearInOut' });
    expect(lastState()).toMatchObject({ in: null, out: null, loop: false });
    await run({ type: 'setOut', frame: FRAMES }, { type: 'setIn', tc: '00:59:59:00' });
    expect(messages.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message)).toEqual([
      `frame ${FRAMES} is out of range: the stream has frames 0 to ${FRAMES - 1}`,
      expect.stringMatching(/^timecode 00:59:59:00 is out of range/),
    ]);
    expect(p.snapshot).toMatchObject({ in: null, out: null });
    await p.close();
  });
});
