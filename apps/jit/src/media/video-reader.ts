import { availableParallelism } from 'node:os';
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  AV_CODEC_PROP_INTRA_ONLY,
  AV_NOPTS_VALUE,
  AV_OPT_TYPE_INT,
  AVDISCARD_DEFAULT,
  AVDISCARD_NONREF,
  AVMEDIA_TYPE_VIDEO,
  AVSEEK_FLAG_BACKWARD,
  type CodecContext,
  FF_THREAD_FRAME,
  FF_THREAD_SLICE,
  FFmpegError,
  type FormatContext,
  Frame,
  Packet,
  type Stream,
} from 'node-av';
import { InputError, type InputSource, inputName } from './input-location';
import { openDecoder, openStream } from './open-stream';
import { FrameTiming, type Rational } from './rational';
import { sourceTimecode } from './source-timecode';
import type { StartTimecode } from '@jit/protocol';

export interface VideoReaderOptions {
  threads: number;
  /**
   * Unset: slice threads for intra-only codecs (ProRes, DNxHD: one frame decodes on every core),
   * frame threads for long-GOP ones (a seek decodes a run of frames, which slices cannot share
   * out when the encoder made one slice per frame, as x264 does).
   */
  threadType?: 'slice' | 'frame';
  /** FFmpeg decoder lowres (only where the decoder supports it; scaling does the rest). */
  lowres: number;
  outputRate?: Rational;
}

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  sourceRate: Rational;
  sampleAspect: Rational;
  /** Source frames in the stream. */
  frameCount: number;
}

/** How far ahead of the decoder a target may be before a seek beats decoding forward. */
const MAX_DECODE_AHEAD = 12;
/** Frame threads when --threads leaves it to us: each more delays output by a frame. */
const FRAME_THREADS = Math.min(availableParallelism(), 4);
/**
 * How long a drained jump waits before putting the decoder back: the target's picture is then
 * on its way and being decoded by the browser, which would otherwise share the cores with it.
 */
const REPOSITION_DELAY_MS = 100;

/**
 * Demuxer and decoder of one video stream, kept open for the whole viewing session so a
 * seek costs a demuxer seek plus the decode from the previous keyframe, never a process start.
 *
 * Local files are read and decoded with FFmpeg's synchronous calls: a seek into a long GOP is
 * a chain of a dozen read/send/receive steps, and making each a trip through libuv's thread
 * pool cost a third of its time (bench/results/latest.md). It runs on a viewer's video thread
 * (VideoWorker), so those calls never hold up the thread that sends RTP. Remote inputs keep
 * the asynchronous reads, which can wait on the network.
 */
export class VideoReader {
  private readonly packet = new Packet();
  private readonly frame = new Frame();
  /** Source index of the last frame the decoder gave, -1 after a seek. */
  private position = -1;
  private eof = false;
  private skipping = false;
  /** The decoder was drained (see decodeTo): it must seek before it decodes on. */
  private drained = false;
  /** frameAt calls not answered yet: a re-positioning gives way to them. */
  private waiting = 0;
  /** Drained jumps so far: only the latest one's re-positioning runs. */
  private jumps = 0;
  private closing = false;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly format: FormatContext,
    private readonly stream: Stream,
    private readonly decoder: CodecContext,
    readonly info: VideoStreamInfo,
    readonly timing: FrameTiming,
    /** The source's own timecode of its first frame. */
    readonly startTimecode: StartTimecode,
    private readonly location: string,
    private readonly remote: boolean,
    /** How the decoder shares its work out (for logs and tests). */
    readonly threading: { type: 'slice' | 'frame'; count: number },
    /** Whether the decoder holds frames back (B-frame reordering, frame threads): then jumps drain it. */
    private readonly delaysFrames: boolean,
  ) {
    this.packet.alloc();
    this.frame.alloc();
  }

  static async open(source: InputSource, options: VideoReaderOptions): Promise<VideoReader> {
    const location = inputName(source);
    const opened = await openStream(source, AVMEDIA_TYPE_VIDEO, 'video');
    const { format, stream, codec, decoder } = opened;
    const intraOnly = (stream.codecpar.codecProperties & AV_CODEC_PROP_INTRA_ONLY) !== 0;
    const threadType = options.threadType ?? (intraOnly ? 'slice' : 'frame');
    decoder.threadType = threadType === 'frame' ? FF_THREAD_FRAME : FF_THREAD_SLICE;
    const threading = { type: threadType, count: options.threads || (threadType === 'frame' ? FRAME_THREADS : 0) };
    decoder.threadCount = threading.count;
    await openDecoder(source, opened, options.lowres > 0 && codec.maxLowres >= options.lowres ? { lowres: String(options.lowres) } : {});

    const rate = stream.avgFrameRate.num > 0 ? stream.avgFrameRate : stream.rFrameRate;
    if (!(rate.num > 0 && rate.den > 0)) throw new InputError(`input ${location}: unknown frame rate`);
    const sourceRate = { num: rate.num, den: rate.den };
    const startPts = stream.startTime > 0n ? stream.startTime : 0n;
    const timing = new FrameTiming(sourceRate, options.outputRate ?? sourceRate, stream.timeBase, startPts);
    const frameCount =
      stream.nbFrames > 0n
        ? Number(stream.nbFrames)
        : Math.floor((Number(format.duration) / 1e6) * (sourceRate.num / sourceRate.den) + 1e-6);
    const sar = stream.sampleAspectRatio.num > 0 ? stream.sampleAspectRatio : stream.codecpar.sampleAspectRatio;
    const info: VideoStreamInfo = {
      codec: codec.name ?? 'unknown',
      width: stream.codecpar.width,
      height: stream.codecpar.height,
      sourceRate,
      sampleAspect: sar.num > 0 ? { num: sar.num, den: sar.den } : { num: 1, den: 1 },
      frameCount,
    };
    if (frameCount <= 0) throw new InputError(`input ${location}: has no video frames`);
    const start = sourceTimecode(format, stream, sourceRate);
    return new VideoReader(
      format,
      stream,
      decoder,
      info,
      timing,
      start,
      location,
      source.remote,
      threading,
      !intraOnly || threadType === 'frame',
    );
  }

  /**
   * Decodes the frame with source index `index`; resolves with a new reference the caller
   * frees, or null past the end. Calls are serialised: the decoder is one state machine.
   */
  frameAt(index: number): Promise<Frame | null> {
    this.waiting++;
    return this.enqueue(() => this.decodeTo(index)).finally(() => this.waiting--);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.busy.then(task);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /**
   * A jump (a seek, not the next frames) drains the decoder once the target's packet is in, so
   * the target comes out without decoding the frames that frame threads and B-frame reordering
   * would otherwise wait for; the decoder is then put back at the target behind the scenes.
   */
  private async decodeTo(index: number): Promise<Frame | null> {
    if (index < 0 || index >= this.info.frameCount) return null;
    const ahead = index - this.position;
    const onward = this.position >= 0 && ahead > 0 && ahead <= MAX_DECODE_AHEAD;
    if (!onward || this.drained) await this.seekBefore(index);
    const mode = onward || !this.delaysFrames ? 'onward' : 'jump';
    let found = await this.decodeForward(index, mode);
    if (found === 'overshot') {
      // The demuxer landed after the target (imprecise index): seek a second earlier.
      await this.seekBefore(index - Math.ceil(this.info.sourceRate.num / this.info.sourceRate.den));
      found = await this.decodeForward(index, mode);
    }
    if (this.drained) this.repositionLater(index);
    if (found !== 'found') return null;
    const out = new Frame();
    out.alloc();
    out.ref(this.frame);
    out.timeBase = this.stream.timeBase;
    this.frame.unref();
    return out;
  }

  /** After a drained jump: unless another request comes first, decodes up to `index` again after a while. */
  private repositionLater(index: number): void {
    const jump = ++this.jumps;
    void sleep(REPOSITION_DELAY_MS).then(async () => {
      if (this.jumps === jump) await this.enqueue(() => this.reposition(index));
    });
  }

  /** Decodes up to `index` again after a drained jump, so playing or stepping on from there decodes onward; gives way to any request. */
  private async reposition(index: number): Promise<void> {
    if (!this.drained || this.waiting > 0 || this.closing) return;
    try {
      await this.seekBefore(index);
      if ((await this.decodeForward(index, 'reposition')) === 'found') this.frame.unref();
    } catch {
      // The next request seeks again and reports what is wrong.
      this.position = -1;
    }
  }

  private async seekBefore(index: number): Promise<void> {
    const pts = this.timing.ptsOfSourceIndex(Math.max(0, index));
    const ret = this.remote
      ? await this.format.seekFrame(this.stream.index, pts, AVSEEK_FLAG_BACKWARD)
      : this.format.seekFrameSync(this.stream.index, pts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) throw new Error(`input ${this.location}: seek to frame ${index} failed (${FFmpegError.strerror(ret)})`);
    this.decoder.flushBuffers();
    this.position = -1;
    this.eof = false;
    this.drained = false;
  }

  private async decodeForward(
    index: number,
    mode: 'onward' | 'jump' | 'reposition',
  ): Promise<'found' | 'overshot' | 'missing' | 'end' | 'gave way'> {
    let first = true;
    for (;;) {
      if (mode === 'reposition') {
        // Requests that came in meanwhile are counted before each step: it gives way to them.
        await yieldToEventLoop();
        if (this.waiting > 0 || this.closing) return 'gave way';
      }
      const received = this.decoder.receiveFrameSync(this.frame);
      if (received >= 0) {
        const at = this.timing.sourceIndexOfPts(this.frame.bestEffortTimestamp);
        const wasSeek = first && this.position < 0;
        first = false;
        this.position = at;
        if (at === index) return 'found';
        if (at > index) {
          this.frame.unref();
          return wasSeek ? 'overshot' : 'missing';
        }
        this.frame.unref();
        continue;
      }
      if (this.eof) return 'end';
      const read = this.remote ? await this.format.readFrame(this.packet) : this.format.readFrameSync(this.packet);
      if (read < 0) {
        this.eof = true;
        this.decoder.sendPacketSync(null);
        continue;
      }
      if (this.packet.streamIndex === this.stream.index) {
        const pts = this.packet.pts;
        const at = pts === AV_NOPTS_VALUE ? undefined : this.timing.sourceIndexOfPts(pts);
        this.skipNonReference(at !== undefined && at < index);
        // A corrupt packet is skipped, as ffmpeg does; the frame it carried is then missing.
        this.decoder.sendPacketSync(this.packet);
        if (mode === 'jump' && at === index) {
          this.decoder.sendPacketSync(null);
          this.eof = true;
          this.drained = true;
        }
      }
      this.packet.unref();
    }
  }

  /**
   * On the way to a target, frames that no other frame refers to (most B-frames) are not
   * decoded at all: a long-GOP seek then decodes only the reference frames before the target.
   */
  private skipNonReference(skip: boolean): void {
    if (skip === this.skipping) return;
    this.decoder.setOption('skip_frame', skip ? AVDISCARD_NONREF : AVDISCARD_DEFAULT, AV_OPT_TYPE_INT);
    this.skipping = skip;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.busy;
    this.frame.free();
    this.packet.free();
    this.decoder.freeContext();
    await this.format.closeInput();
  }
}
