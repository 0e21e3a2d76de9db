export interface Rational {
  readonly num: number;
  readonly den: number;
}

export const toNumber = (r: Rational): number => r.num / r.den;

/**
 * Maps output frame numbers (what the viewer counts, at the output frame rate) to source
 * frames and to presentation timestamps of the video stream.
 */
export class FrameTiming {
  constructor(
    readonly sourceRate: Rational,
    readonly outputRate: Rational,
    readonly timeBase: Rational,
    readonly startPts: bigint,
  ) {}

  /** Nearest source frame index of a timestamp in the stream's time base. */
  sourceIndexOfPts(pts: bigint): number {
    const ticks = Number(pts - this.startPts);
    return Math.round((ticks * this.timeBase.num * this.sourceRate.num) / (this.timeBase.den * this.sourceRate.den));
  }

  ptsOfSourceIndex(index: number): bigint {
    const ticks = (index * this.sourceRate.den * this.timeBase.den) / (this.sourceRate.num * this.timeBase.num);
    return this.startPts + BigInt(Math.round(ticks));
  }

  /** The source frame on screen at output frame `n`: the last one that started at or before it. */
  sourceIndexOf(n: number): number {
    const exact = (n * this.outputRate.den * this.sourceRate.num) / (this.outputRate.num * this.sourceRate.den);
    return Math.floor(exact + 1e-9);
  }

  /** Output frames that cover `sourceFrames` source frames. */
  outputFrameCount(sourceFrames: number): number {
    const exact = (sourceFrames * this.outputRate.num * this.sourceRate.den) / (this.outputRate.den * this.sourceRate.num);
    return Math.ceil(exact - 1e-9);
  }

  secondsOf(n: number): number {
    return (n * this.outputRate.den) / this.outputRate.num;
  }

  get frameDurationMs(): number {
    return (1000 * this.outputRate.den) / this.outputRate.num;
  }
}
