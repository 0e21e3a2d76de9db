import { frameToTimecode, parsePosition, timecodeBase } from '../../../web/player/src/timecode';

const pal = { num: 25, den: 1 };
const ntsc = { num: 30000, den: 1001 };

describe('timecode', () => {
  it('counts whole frames per second, non-drop-frame', () => {
    expect(timecodeBase(pal)).toBe(25);
    expect(timecodeBase(ntsc)).toBe(30);
    expect(timecodeBase({ num: 24000, den: 1001 })).toBe(24);
    expect(timecodeBase({ num: 1, den: 2 })).toBe(1);
  });

  it('formats frame numbers as HH:MM:SS:FF', () => {
    expect(frameToTimecode(0, pal)).toBe('00:00:00:00');
    expect(frameToTimecode(120, pal)).toBe('00:00:04:20');
    expect(frameToTimecode(249, pal)).toBe('00:00:09:24');
    expect(frameToTimecode(25 * 3600 + 25 * 61 + 1, pal)).toBe('01:01:01:01');
    expect(frameToTimecode(29, ntsc)).toBe('00:00:00:29');
    expect(frameToTimecode(30, ntsc)).toBe('00:00:01:00');
  });

  it('reads a frame number or a timecode back', () => {
    expect(parsePosition(' 120 ', pal)).toBe(120);
    expect(parsePosition('00:00:06:05', pal)).toBe(155);
    expect(parsePosition('1:2:3.4', pal)).toBe(((60 + 2) * 60 + 3) * 25 + 4);
    expect(parsePosition('00:00:01;29', ntsc)).toBe(59);
    for (const frame of [0, 1, 24, 25, 1499, 90000]) expect(parsePosition(frameToTimecode(frame, pal), pal)).toBe(frame);
  });

  it('says what is wrong with a position it cannot read', () => {
    expect(() => parsePosition('00:00:03:25', pal)).toThrow('"00:00:03:25": frames go up to 24 at 25 frames per second');
    expect(() => parsePosition('00:60:00:00', pal)).toThrow('minutes and seconds go up to 59');
    expect(() => parsePosition('soon', pal)).toThrow('"soon" is neither a frame number nor a timecode HH:MM:SS:FF');
    expect(() => parsePosition('-3', pal)).toThrow(/neither a frame number/);
  });
});
