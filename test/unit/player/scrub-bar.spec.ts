import { SeekPacer, fractionAt, fractionOfFrame, frameAtFraction } from '../../../web/player/src/scrub-bar';

describe('scrub bar position ↔ frame', () => {
  it('puts the first frame at the left end and the last at the right', () => {
    expect(frameAtFraction(0, 250)).toBe(0);
    expect(frameAtFraction(1, 250)).toBe(249);
    expect(frameAtFraction(0.5, 251)).toBe(125);
    expect(fractionOfFrame(0, 250)).toBe(0);
    expect(fractionOfFrame(249, 250)).toBe(1);
  });

  it('clamps outside the bar, and has nothing to move along for one frame or none', () => {
    expect(frameAtFraction(-0.2, 250)).toBe(0);
    expect(frameAtFraction(1.5, 250)).toBe(249);
    expect(frameAtFraction(Number.NaN, 250)).toBe(0);
    expect(frameAtFraction(0.7, 1)).toBe(0);
    expect(frameAtFraction(0.7, 0)).toBe(0);
    expect(fractionOfFrame(500, 250)).toBe(1);
    expect(fractionOfFrame(3, 1)).toBe(0);
  });

  it('goes round from frame to position and back for every frame', () => {
    for (const count of [2, 25, 250, 1001, 15000]) {
      for (let frame = 0; frame < count; frame += Math.max(1, Math.floor(count / 97))) {
        expect(frameAtFraction(fractionOfFrame(frame, count), count)).toBe(frame);
      }
    }
  });

  it('reads the fraction under a pointer from the bar’s box', () => {
    expect(fractionAt(150, { left: 100, width: 200 })).toBe(0.25);
    expect(fractionAt(50, { left: 100, width: 200 })).toBe(-0.25);
    expect(fractionAt(150, { left: 100, width: 0 })).toBe(0);
  });
});

describe('SeekPacer', () => {
  let now = 0;
  const pacer = () => new SeekPacer(1000, () => now);
  beforeEach(() => {
    now = 0;
  });

  it('sends the first seek at once and holds the next until the JIT answers, the latest winning', () => {
    const p = pacer();
    expect(p.request(10)).toBe(10);
    expect(p.request(11)).toBeNull();
    expect(p.request(12)).toBeNull();
    expect(p.settled()).toBe(12);
    expect(p.request(13)).toBeNull();
    expect(p.settled()).toBe(13);
    expect(p.settled()).toBeNull();
    expect(p.request(14)).toBe(14);
  });

  it('no longer waits for a seek left unanswered', () => {
    const p = pacer();
    expect(p.request(10)).toBe(10);
    now = 999;
    expect(p.request(20)).toBeNull();
    now = 1000;
    expect(p.request(30)).toBe(30);
    expect(p.settled()).toBeNull();
  });
});
