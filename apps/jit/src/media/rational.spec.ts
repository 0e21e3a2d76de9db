import { FrameTiming } from './rational';

describe('FrameTiming', () => {
  const mov = new FrameTiming({ num: 25, den: 1 }, { num: 25, den: 1 }, { num: 1, den: 12800 }, 0n);

  it('maps frame indices to timestamps and back', () => {
    expect(mov.ptsOfSourceIndex(150)).toBe(76800n);
    expect(mov.sourceIndexOfPts(76800n)).toBe(150);
    expect(mov.sourceIndexOfPts(76799n)).toBe(150);
  });

  it('counts from the stream start time', () => {
    const shifted = new FrameTiming({ num: 25, den: 1 }, { num: 25, den: 1 }, { num: 1, den: 90000 }, 3600n);
    expect(shifted.ptsOfSourceIndex(0)).toBe(3600n);
    expect(shifted.sourceIndexOfPts(3600n + 3600n * 10n)).toBe(10);
  });

  it('shows the source frame that started last at each output frame of another rate', () => {
    const doubled = new FrameTiming({ num: 25, den: 1 }, { num: 50, den: 1 }, { num: 1, den: 12800 }, 0n);
    expect([0, 1, 2, 3, 21].map((n) => doubled.sourceIndexOf(n))).toEqual([0, 0, 1, 1, 10]);
    expect(doubled.outputFrameCount(300)).toBe(600);
    const ntsc = new FrameTiming({ num: 30000, den: 1001 }, { num: 24000, den: 1001 }, { num: 1, den: 30000 }, 0n);
    expect([0, 4, 8].map((n) => ntsc.sourceIndexOf(n))).toEqual([0, 5, 10]);
    expect(ntsc.outputFrameCount(10)).toBe(8);
  });
});
