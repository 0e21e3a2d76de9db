import { parsePosition } from '../../../web/player/src/timecode';

const pal = { num: 25, den: 1 };
const ntsc = { num: 30000, den: 1001 };

describe('the go-to position', () => {
  it('reads a frame number, or a timecode the JIT places', () => {
    expect(parsePosition(' 120 ', pal)).toEqual({ frame: 120 });
    expect(parsePosition('00:00:06:05', pal)).toEqual({ tc: '00:00:06:05' });
    expect(parsePosition(' 01:00:10;29 ', ntsc)).toEqual({ tc: '01:00:10;29' });
    expect(parsePosition('1:2:3.4', pal)).toEqual({ tc: '1:2:3.4' });
  });

  it('says what is wrong with a position it cannot read', () => {
    expect(() => parsePosition('00:00:03:25', pal)).toThrow('"00:00:03:25": frames go up to 24 at 25 frames per second');
    expect(() => parsePosition('00:60:00:00', pal)).toThrow('minutes and seconds go up to 59');
    expect(() => parsePosition('soon', pal)).toThrow('"soon" is neither a frame number nor a timecode HH:MM:SS:FF');
    expect(() => parsePosition('-3', pal)).toThrow(/neither a frame number/);
  });
});
