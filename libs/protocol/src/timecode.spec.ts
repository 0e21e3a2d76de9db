import {
  canDropFrame,
  frameOfTimecode,
  frameToTimecode,
  startTimecode,
  timecodeBase,
  timecodeClock,
  timecodeOf,
  timecodeToFrame,
} from './timecode';

const rate = (num: number, den = 1) => ({ num, den });
const ndf = (num: number, den = 1) => ({ rate: rate(num, den), dropFrame: false });
const df = (num: number) => ({ rate: rate(num, 1001), dropFrame: true });

describe('timecode', () => {
  it('counts a second in whole frames, and drops frames only at 29.97 and 59.94', () => {
    expect([rate(25), rate(30000, 1001), rate(24000, 1001), rate(1, 2)].map(timecodeBase)).toEqual([25, 30, 24, 1]);
    expect(canDropFrame(rate(30000, 1001))).toBe(true);
    expect(canDropFrame(rate(60000, 1001))).toBe(true);
    expect(canDropFrame(rate(24000, 1001))).toBe(false);
    expect(canDropFrame(rate(30))).toBe(false);
  });

  it('writes non-drop timecode at 23.976, 24, 25 and 50', () => {
    expect(frameToTimecode(0, ndf(25))).toBe('00:00:00:00');
    expect(frameToTimecode(120, ndf(25))).toBe('00:00:04:20');
    expect(frameToTimecode(25 * 3600 + 25 * 61 + 1, ndf(25))).toBe('01:01:01:01');
    expect(frameToTimecode(23, ndf(24000, 1001))).toBe('00:00:00:23');
    expect(frameToTimecode(24 * 60, ndf(24000, 1001))).toBe('00:01:00:00');
    expect(frameToTimecode(24 * 3600 - 1, ndf(24))).toBe('00:59:59:23');
    expect(frameToTimecode(50 * 10 + 49, ndf(50))).toBe('00:00:10:49');
  });

  it('writes drop-frame timecode at 29.97 across the minute and ten-minute boundaries', () => {
    const ntsc = df(30000);
    expect(frameToTimecode(1799, ntsc)).toBe('00:00:59;29');
    expect(frameToTimecode(1800, ntsc)).toBe('00:01:00;02');
    expect(frameToTimecode(3597, ntsc)).toBe('00:01:59;29');
    expect(frameToTimecode(3598, ntsc)).toBe('00:02:00;02');
    expect(frameToTimecode(17981, ntsc)).toBe('00:09:59;29');
    expect(frameToTimecode(17982, ntsc)).toBe('00:10:00;00');
    expect(frameToTimecode(17983, ntsc)).toBe('00:10:00;01');
    expect(frameToTimecode(17982 * 6, ntsc)).toBe('01:00:00;00');
  });

  it('writes drop-frame timecode at 59.94, four numbers a minute', () => {
    const fast = df(60000);
    expect(frameToTimecode(3599, fast)).toBe('00:00:59;59');
    expect(frameToTimecode(3600, fast)).toBe('00:01:00;04');
    expect(frameToTimecode(35964, fast)).toBe('00:10:00;00');
  });

  it('reads timecode back to the same frame, in every format', () => {
    expect(timecodeToFrame('00:01:00;02', df(30000))).toBe(1800);
    expect(timecodeToFrame('00:00:59;29', df(30000))).toBe(1799);
    expect(timecodeToFrame('00:10:00;00', df(30000))).toBe(17982);
    expect(timecodeToFrame('00:01:00;04', df(60000))).toBe(3600);
    expect(timecodeToFrame('1:2:3.4', ndf(25))).toBe(((60 + 2) * 60 + 3) * 25 + 4);
    for (const format of [ndf(24000, 1001), ndf(24), ndf(25), ndf(50), df(30000), df(60000)]) {
      for (const frame of [0, 1, 24, 1799, 1800, 1801, 3598, 17981, 17982, 17983, 90000, 107892, 215784]) {
        expect(timecodeToFrame(frameToTimecode(frame, format), format)).toBe(frame);
      }
    }
  });

  it('says what is wrong with a timecode it cannot read', () => {
    expect(() => timecodeToFrame('00:00:03:25', ndf(25))).toThrow('"00:00:03:25": frames go up to 24 at 25 frames per second');
    expect(() => timecodeToFrame('00:60:00:00', ndf(25))).toThrow('minutes and seconds go up to 59');
    expect(() => timecodeToFrame('24:00:00:00', ndf(25))).toThrow('hours go up to 23');
    expect(() => timecodeToFrame('soon', ndf(25))).toThrow('"soon" is not a timecode HH:MM:SS:FF');
    expect(() => timecodeToFrame('00:01:00;00', df(30000))).toThrow(/does not exist in drop-frame timecode/);
    expect(timecodeToFrame('00:10:00;00', df(30000))).toBe(17982);
  });

  it("takes a source's start timecode from its tag, drop-frame by its separator", () => {
    expect(startTimecode('01:00:00;00', rate(30000, 1001))).toEqual({ timecode: '01:00:00;00', rate: rate(30000, 1001), dropFrame: true });
    expect(startTimecode('10:00:00:00', rate(25))).toEqual({ timecode: '10:00:00:00', rate: rate(25), dropFrame: false });
    expect(startTimecode('01:00:00:00', rate(30000, 1001)).dropFrame).toBe(false);
    // `;` at a rate without drop-frame: non-drop.
    expect(startTimecode('01:00:00;00', rate(25))).toEqual({ timecode: '01:00:00:00', rate: rate(25), dropFrame: false });
    expect(startTimecode(undefined, rate(25)).timecode).toBe('00:00:00:00');
    expect(startTimecode('garbage', rate(25)).timecode).toBe('00:00:00:00');
  });

  it('offsets output frames by the start timecode, both ways', () => {
    const clock = timecodeClock(startTimecode('01:00:00;00', rate(30000, 1001)), rate(30000, 1001));
    expect(timecodeOf(0, clock)).toBe('01:00:00;00');
    expect(timecodeOf(1800, clock)).toBe('01:01:00;02');
    expect(frameOfTimecode('01:01:00;02', clock)).toBe(1800);
    expect(frameOfTimecode('00:59:59;29', clock)).toBe(-1);
    const pal = timecodeClock(startTimecode('10:00:00:00', rate(25)), rate(25));
    expect(timecodeOf(262, pal)).toBe('10:00:10:12');
    expect(frameOfTimecode('10:00:10:12', pal)).toBe(262);
  });

  it('counts at the output rate from the source start when the rate changes', () => {
    const fromNtsc = timecodeClock(startTimecode('01:00:00;15', rate(30000, 1001)), rate(25));
    expect(fromNtsc.format).toEqual({ rate: rate(25), dropFrame: false });
    expect(timecodeOf(0, fromNtsc)).toBe('01:00:00:12');
    expect(timecodeOf(13, fromNtsc)).toBe('01:00:01:00');
    const toNtsc = timecodeClock(startTimecode('00:01:00:00', rate(25)), rate(30000, 1001));
    expect(toNtsc.format.dropFrame).toBe(false);
    const dfToDf = timecodeClock(startTimecode('00:01:00;04', rate(60000, 1001)), rate(30000, 1001));
    expect(timecodeOf(0, dfToDf)).toBe('00:01:00;02');
  });
});
