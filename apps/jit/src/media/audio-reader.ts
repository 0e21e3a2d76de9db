import {
  AVMEDIA_TYPE_AUDIO,
  AVSEEK_FLAG_BACKWARD,
  type CodecContext,
  FFmpegError,
  FilterAPI,
  type FormatContext,
  Frame,
  Packet,
  type Stream,
} from 'node-av';
import { InputError, type InputSource, inputName } from './input-location';
import { openDecoder, openStream } from './open-stream';

export const AUDIO_RATE = 48_000;

/**
 * One audio input, decoded and resampled to 48 kHz float, read in blocks of samples per
 * channel from any position. Only the first `channels` channels are kept.
 */
export class AudioReader {
  private readonly packet = new Packet();
  private readonly frame = new Frame();
  private filter: FilterAPI;
  /** Decoded samples not yet read, interleaved by `sourceChannels`. */
  private pending: Float32Array[] = [];
  private pendingOffset = 0;
  /** Samples to drop from the next decoded audio to land exactly on the seek target. */
  private skipUntil = 0;
  private eof = false;

  private constructor(
    private readonly format: FormatContext,
    private readonly stream: Stream,
    private readonly decoder: CodecContext,
    private readonly sourceChannels: number,
    readonly channels: number,
    private readonly location: string,
  ) {
    this.packet.alloc();
    this.frame.alloc();
    this.filter = AudioReader.createFilter();
  }

  private static createFilter(): FilterAPI {
    return FilterAPI.create(`aresample=${AUDIO_RATE},aformat=sample_fmts=flt`);
  }

  static async open(source: InputSource, channelCount: number | undefined): Promise<AudioReader> {
    const location = inputName(source);
    const opened = await openStream(source, AVMEDIA_TYPE_AUDIO, 'audio');
    const { format, stream, decoder } = opened;
    await openDecoder(source, opened);
    const sourceChannels = stream.codecpar.channels;
    if (channelCount !== undefined && channelCount > sourceChannels) {
      throw new InputError(`input ${location}: channel_count=${channelCount} but the file has ${sourceChannels} channels`);
    }
    return new AudioReader(format, stream, decoder, sourceChannels, channelCount ?? sourceChannels, location);
  }

  async seek(seconds: number): Promise<void> {
    const tb = this.stream.timeBase;
    const ts = BigInt(Math.floor((seconds * tb.den) / tb.num));
    const ret = await this.format.seekFrame(this.stream.index, ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) throw new Error(`input ${this.location}: audio seek failed (${FFmpegError.strerror(ret)})`);
    this.decoder.flushBuffers();
    this.filter.close();
    this.filter = AudioReader.createFilter();
    this.pending = [];
    this.pendingOffset = 0;
    this.skipUntil = Math.round(seconds * AUDIO_RATE);
    this.eof = false;
  }

  /** Reads `count` samples of each kept channel; silence past the end. */
  async read(count: number): Promise<Float32Array[]> {
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    let filled = 0;
    while (filled < count) {
      const chunk = this.pending[0];
      if (!chunk) {
        if (this.eof || !(await this.decodeMore())) break;
        continue;
      }
      const available = chunk.length / this.sourceChannels - this.pendingOffset;
      const take = Math.min(available, count - filled);
      for (let c = 0; c < this.channels; c++) {
        const target = out[c];
        for (let i = 0; i < take; i++) target[filled + i] = chunk[(this.pendingOffset + i) * this.sourceChannels + c];
      }
      filled += take;
      this.pendingOffset += take;
      if (this.pendingOffset * this.sourceChannels >= chunk.length) {
        this.pending.shift();
        this.pendingOffset = 0;
      }
    }
    return out;
  }

  /** Decodes until some samples are pending; false at the end of the input. */
  private async decodeMore(): Promise<boolean> {
    for (;;) {
      if ((await this.decoder.receiveFrame(this.frame)) >= 0) {
        this.frame.pts = this.frame.bestEffortTimestamp;
        this.frame.timeBase = this.stream.timeBase;
        const frames = await this.filter.processAll(this.frame);
        this.frame.unref();
        for (const f of frames) this.enqueue(f);
        if (this.pending.length > 0) return true;
        continue;
      }
      if (this.eof) return false;
      const read = await this.format.readFrame(this.packet);
      if (read < 0) {
        this.eof = true;
        await this.decoder.sendPacket(null);
        continue;
      }
      if (this.packet.streamIndex === this.stream.index) await this.decoder.sendPacket(this.packet);
      this.packet.unref();
    }
  }

  private enqueue(frame: Frame): void {
    try {
      const data = frame.data?.[0];
      if (!data || frame.nbSamples === 0) return;
      const samples = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + frame.nbSamples * this.sourceChannels * 4));
      const tb = frame.timeBase;
      const start = Math.round((Number(frame.pts) * tb.num * AUDIO_RATE) / tb.den);
      const drop = Math.min(frame.nbSamples, Math.max(0, this.skipUntil - start));
      if (drop === frame.nbSamples) return;
      this.skipUntil = 0;
      this.pending.push(drop > 0 ? samples.subarray(drop * this.sourceChannels) : samples);
    } finally {
      frame.free();
    }
  }

  async close(): Promise<void> {
    this.filter.close();
    this.frame.free();
    this.packet.free();
    this.decoder.freeContext();
    await this.format.closeInput();
  }
}
