import type { JitConfig } from '../../../../libs/config/src';
import type { Logger } from '../../../../libs/logging/src';
import { AudioProgram } from './audio-program';
import { AudioReader } from './audio-reader';
import { InputError, type InputSource, resolveInputSource } from './input-location';
import { PictureSource } from './picture-source';
import type { FrameTiming, Rational } from './rational';
import { VideoEncoder, type VideoCodecName } from './video-encoder';
import { outputPicture } from './video-filter';
import { VideoReader, type VideoReaderOptions, type VideoStreamInfo } from './video-reader';

export interface MediaPipeline {
  pictures: PictureSource;
  timing: FrameTiming;
  encoder: VideoEncoder;
  audio?: AudioProgram;
  frameCount: number;
  close(): Promise<void>;
}

/** A viewer's opened inputs, before an encoder is chosen for the codec it negotiated. */
type MediaSources = Omit<MediaPipeline, 'encoder'>;

export interface MediaSummary {
  video: VideoStreamInfo & { url: string; id?: string };
  audio: { url: string; id?: string; channels: number }[];
  output: { width: number; height: number; frameRate: Rational; frameCount: number };
}

/**
 * The inputs of this JIT, checked once at start-up (so a missing file or an unreadable
 * stream ends the process at once), and opened afresh for every viewer.
 */
export class MediaCatalog {
  private spare?: Promise<MediaSources>;

  private constructor(
    private readonly config: JitConfig,
    private readonly videoSource: InputSource,
    private readonly audioSources: { source: InputSource; channelCount?: number }[],
    readonly summary: MediaSummary,
  ) {}

  static async open(config: JitConfig, log: Logger): Promise<MediaCatalog> {
    const [videoInput, ...audioInputs] = config.inputs;
    const videoSource = await resolveInputSource(videoInput, config);
    const audioSources = await Promise.all(
      audioInputs.map(async (input) => ({ source: await resolveInputSource(input, config), channelCount: input.channelCount })),
    );
    const probe = await VideoReader.open(videoSource, MediaCatalog.readerOptions(config));
    const audioChannels: number[] = [];
    for (const { source, channelCount } of audioSources) {
      const reader = await AudioReader.open(source, channelCount);
      audioChannels.push(reader.channels);
      await reader.close();
    }
    await probe.close();
    const total = audioChannels.reduce((a, b) => a + b, 0);
    const programChannels = config.channels ?? total;
    if (audioInputs.length > 0 && config.cho >= programChannels) {
      throw new InputError(`--cho: offset ${config.cho} is beyond the ${programChannels} audio channels`);
    }
    if (config.channels !== undefined && audioInputs.length > 0 && config.channels !== total) {
      log.warn({ expected: config.channels, found: total }, '--channels differs from the channels of the audio inputs: missing ones are silent, extra ones unused');
    }
    const catalog = new MediaCatalog(config, videoSource, audioSources, {
      video: { ...probe.info, url: videoInput.url, id: videoInput.id },
      audio: audioInputs.map((input, i) => ({ url: input.url, id: input.id, channels: audioChannels[i] })),
      output: { ...outputPicture(probe.info, config), frameRate: probe.timing.outputRate, frameCount: MediaCatalog.frameCount(config, probe.timing, probe.info) },
    });
    catalog.spare = catalog.openSources();
    catalog.spare.catch(() => undefined);
    return catalog;
  }

  private static readerOptions(config: JitConfig): VideoReaderOptions {
    return {
      threads: config.threads,
      threadType: config.threadType,
      lowres: config.lowres,
      outputRate: config.frameRateNum ? { num: config.frameRateNum, den: config.frameRateDen ?? 1 } : undefined,
    };
  }

  private static frameCount(config: JitConfig, timing: FrameTiming, info: VideoStreamInfo): number {
    const available = timing.outputFrameCount(info.frameCount);
    return config.duration ? Math.min(config.duration, available) : available;
  }

  /**
   * The media of a new viewer. One set of opened inputs is kept ready (frame 0 decoded), so a
   * viewer does not wait for the inputs to be opened and probed: it takes the spare and the
   * next one is opened behind it.
   */
  async openPipeline(codec: VideoCodecName): Promise<MediaPipeline> {
    // A spare that failed (an input unreadable at that moment) is retried, not passed on.
    const sources = await (this.spare ?? this.openSources()).catch(() => this.openSources());
    this.spare = this.openSources();
    this.spare.catch(() => undefined);
    const { pictures, timing, frameCount, audio } = sources;
    let encoder: VideoEncoder;
    try {
      encoder = await VideoEncoder.create(codec, pictures.picture, timing.outputRate, this.config.threads);
    } catch (error) {
      await sources.close();
      throw error;
    }
    let closing: Promise<void> | undefined;
    return {
      pictures,
      timing,
      encoder,
      audio,
      frameCount,
      close: () =>
        (closing ??= (async () => {
          encoder.close();
          await sources.close();
        })()),
    };
  }

  private async openSources(): Promise<MediaSources> {
    const reader = await VideoReader.open(this.videoSource, MediaCatalog.readerOptions(this.config));
    const pictures = new PictureSource(reader, this.config);
    const readers = await Promise.all(this.audioSources.map((a) => AudioReader.open(a.source, a.channelCount)));
    const audio = readers.length ? await AudioProgram.create(readers, this.config.channels, this.config.cho) : undefined;
    // What every viewer sees first; a failure shows when the viewer asks for it.
    await pictures.at(reader.timing.sourceIndexOf(0)).catch(() => undefined);
    return {
      pictures,
      timing: reader.timing,
      frameCount: MediaCatalog.frameCount(this.config, reader.timing, reader.info),
      audio,
      close: async () => {
        await pictures.close();
        await audio?.close();
      },
    };
  }

  /** Closes the spare inputs (at shutdown). */
  async close(): Promise<void> {
    const spare = await this.spare?.catch(() => undefined);
    this.spare = undefined;
    await spare?.close();
  }

}
