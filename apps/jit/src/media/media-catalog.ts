import type { JitConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { type JitMedia, type StartTimecode, type TimecodeClock, timecodeClock } from '@jit/protocol';
import { AudioProgram } from './audio-program';
import { AudioReader } from './audio-reader';
import { InputError, type InputSource, resolveInputSource } from './input-location';
import type { FrameTiming } from './rational';
import type { VideoCodecName } from './video-encoder';
import { outputPicture } from './video-filter';
import { outputFrameCount, videoReaderOptions } from './video-pipeline';
import { VideoReader } from './video-reader';
import { type VideoThreads, VideoWorker } from './video-worker';

export interface MediaPipeline {
  video: VideoWorker;
  timing: FrameTiming;
  /** The timecode of the output frames (from the source's start timecode). */
  timecode: TimecodeClock;
  audio?: AudioProgram;
  frameCount: number;
  close(): Promise<void>;
}

/** A viewer's opened inputs, before an encoder is chosen for the codec it negotiated. */
type MediaSources = Pick<MediaPipeline, 'video' | 'audio' | 'close'>;

/** The inputs and the output picture, as `GET /status` shows them. */
export type MediaSummary = JitMedia;

/**
 * The inputs of this JIT, checked once at start-up (so a missing file or an unreadable
 * stream ends the process at once), and opened afresh for every viewer.
 */
export class MediaCatalog {
  private spare?: Promise<MediaSources>;
  /** The spare inputs are open (frame 0 decoded): the next viewer will not wait for them. */
  private spareReady = false;
  /** The output frames' timecode, the same for every viewer. */
  private readonly timecode: TimecodeClock;

  private constructor(
    private readonly config: JitConfig,
    private readonly videoSource: InputSource,
    private readonly audioSources: { source: InputSource; channelCount?: number }[],
    readonly summary: MediaSummary,
    private readonly timing: FrameTiming,
    readonly startTimecode: StartTimecode,
    private readonly threads: VideoThreads,
  ) {
    this.timecode = timecodeClock(startTimecode, timing.outputRate);
  }

  /** `threads`: where viewers' video runs; the catalog closes them with itself. */
  static async open(config: JitConfig, log: Logger, threads: VideoThreads): Promise<MediaCatalog> {
    const [videoInput, ...audioInputs] = config.inputs;
    const videoSource = await resolveInputSource(videoInput, config);
    const audioSources = await Promise.all(
      audioInputs.map(async (input) => ({ source: await resolveInputSource(input, config), channelCount: input.channelCount })),
    );
    const probe = await VideoReader.open(videoSource, videoReaderOptions(config));
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
      log.warn(
        { expected: config.channels, found: total },
        '--channels differs from the channels of the audio inputs: missing ones are silent, extra ones unused',
      );
    }
    const catalog = new MediaCatalog(
      config,
      videoSource,
      audioSources,
      {
        video: { ...probe.info, url: videoInput.url, id: videoInput.id },
        audio: audioInputs.map((input, i) => ({ url: input.url, id: input.id, channels: audioChannels[i] })),
        output: {
          ...outputPicture(probe.info, config),
          frameRate: probe.timing.outputRate,
          frameCount: outputFrameCount(config, probe.timing, probe.info),
        },
      },
      probe.timing,
      probe.startTimecode,
      threads,
    );
    catalog.openSpare();
    return catalog;
  }

  /**
   * The media of a new viewer. One set of opened inputs is kept ready (frame 0 decoded), so a
   * viewer does not wait for the inputs to be opened and probed: it takes the spare and the
   * next one is opened behind it.
   */
  async openPipeline(codec: VideoCodecName): Promise<MediaPipeline> {
    // A spare that failed (an input unreadable at that moment) is retried, not passed on.
    const sources = await (this.spare ?? this.openSources()).catch(() => this.openSources());
    this.openSpare();
    try {
      await sources.video.useCodec(codec);
    } catch (error) {
      await sources.close();
      throw error;
    }
    return { ...sources, timing: this.timing, timecode: this.timecode, frameCount: this.summary.output.frameCount };
  }

  private async openSources(): Promise<MediaSources> {
    // The video thread starts (about 0.1 s) while the audio inputs open.
    const [video, audio] = await Promise.allSettled([
      VideoWorker.start(this.threads.take(), this.videoSource, this.config),
      Promise.all(this.audioSources.map((a) => AudioReader.open(a.source, a.channelCount))).then((readers) =>
        readers.length ? AudioProgram.create(readers, this.config.channels, this.config.cho) : undefined,
      ),
    ]);
    if (video.status === 'rejected' || audio.status === 'rejected') {
      if (video.status === 'fulfilled') await video.value.close();
      if (audio.status === 'fulfilled') await audio.value?.close();
      throw video.status === 'rejected' ? video.reason : (audio as PromiseRejectedResult).reason;
    }
    let closing: Promise<void> | undefined;
    return {
      video: video.value,
      audio: audio.value,
      close: () =>
        (closing ??= (async () => {
          await video.value.close();
          await audio.value?.close();
        })()),
    };
  }

  private openSpare(): void {
    const spare = this.openSources();
    this.spare = spare;
    this.spareReady = false;
    spare.then(
      () => (this.spareReady = this.spare === spare),
      () => undefined,
    );
  }

  get nextViewerReady(): boolean {
    return this.spareReady;
  }

  /** Closes the spare inputs (at shutdown). */
  async close(): Promise<void> {
    await this.threads.close();
    const spare = await this.spare?.catch(() => undefined);
    this.spare = undefined;
    await spare?.close();
  }
}
