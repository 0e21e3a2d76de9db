import type { JitConfig } from '@jit/config';
import type { InputSource } from './input-location';
import { PictureSource } from './picture-source';
import type { FrameTiming } from './rational';
import { type EncodedPicture, VideoEncoder, type VideoCodecName } from './video-encoder';
import { VideoReader, type VideoReaderOptions, type VideoStreamInfo } from './video-reader';

/** A viewer's video, as its playback asks for it: encoded output frames by number. */
export interface EncodedFrames {
  /**
   * Output frame `n`, a self-contained keyframe when asked (every seek asks); otherwise it
   * follows the last frame encoded. Null when the source cannot give that frame.
   */
  frame(n: number, keyframe: boolean): Promise<EncodedPicture | null>;
}

export function videoReaderOptions(config: JitConfig): VideoReaderOptions {
  return {
    threads: config.threads,
    threadType: config.threadType,
    lowres: config.lowres,
    outputRate: config.frameRateNum ? { num: config.frameRateNum, den: config.frameRateDen ?? 1 } : undefined,
  };
}

/** Output frames that can be shown: the clip's, or --duration when fewer. */
export function outputFrameCount(config: Pick<JitConfig, 'duration'>, timing: FrameTiming, info: VideoStreamInfo): number {
  const available = timing.outputFrameCount(info.frameCount);
  return config.duration ? Math.min(config.duration, available) : available;
}

/** Demuxer, decoder, filter and encoder of one viewer's video, long-lived: VideoReader → PictureSource → VideoEncoder. */
export class VideoPipeline implements EncodedFrames {
  private encoder?: VideoEncoder;

  private constructor(
    readonly pictures: PictureSource,
    readonly timing: FrameTiming,
    readonly frameCount: number,
    private readonly threads: number,
  ) {}

  /** Opens the input and decodes frame 0, what every viewer sees first (a failure shows when it is asked for). */
  static async open(source: InputSource, config: JitConfig): Promise<VideoPipeline> {
    const reader = await VideoReader.open(source, videoReaderOptions(config));
    const pictures = new PictureSource(reader, config);
    await pictures.at(reader.timing.sourceIndexOf(0)).catch(() => undefined);
    return new VideoPipeline(pictures, reader.timing, outputFrameCount(config, reader.timing, reader.info), config.threads);
  }

  /** Opens the encoder for the codec the viewer negotiated. */
  async useCodec(codec: VideoCodecName): Promise<void> {
    this.encoder?.close();
    this.encoder = await VideoEncoder.create(codec, this.pictures.picture, this.timing.outputRate, this.threads);
  }

  async frame(n: number, keyframe: boolean): Promise<EncodedPicture | null> {
    if (!this.encoder) throw new Error('no video encoder yet: the codec is chosen first');
    const picture = await this.pictures.at(this.timing.sourceIndexOf(n));
    return picture && this.encoder.encode(picture, keyframe);
  }

  async close(): Promise<void> {
    this.encoder?.close();
    await this.pictures.close();
  }
}
