import {
  AV_CHANNEL_LAYOUT_STEREO,
  AV_SAMPLE_FMT_FLT,
  Codec,
  CodecContext,
  Dictionary,
  FF_ENCODER_LIBOPUS,
  FFmpegError,
  Frame,
  Packet,
  Rational as AvRational,
} from 'node-av';
import { AUDIO_RATE, type AudioReader } from './audio-reader';

/** 20 ms, the Opus frame size browsers expect. */
export const AUDIO_BLOCK = 960;

/**
 * The audio inputs seen as one row of channels (input after input, padded with silence or
 * cut to the expected count), of which one pair at a time is encoded to stereo Opus.
 */
export class AudioProgram {
  private readonly packet = new Packet();
  private pts = 0n;
  private offset: number;

  private constructor(
    private readonly readers: AudioReader[],
    private readonly encoder: CodecContext,
    readonly channelCount: number,
    initialOffset: number,
  ) {
    this.packet.alloc();
    this.offset = initialOffset;
  }

  static async create(readers: AudioReader[], expectedChannels: number | undefined, initialOffset: number): Promise<AudioProgram> {
    const codec = Codec.findEncoderByName(FF_ENCODER_LIBOPUS);
    if (!codec) throw new Error('the Opus encoder is not available in this FFmpeg build');
    const encoder = new CodecContext();
    encoder.allocContext3(codec);
    encoder.sampleRate = AUDIO_RATE;
    encoder.sampleFormat = AV_SAMPLE_FMT_FLT;
    encoder.channelLayout = AV_CHANNEL_LAYOUT_STEREO;
    encoder.timeBase = new AvRational(1, AUDIO_RATE);
    encoder.bitRate = 128_000n;
    const ret = await encoder.open2(codec, Dictionary.fromObject({ application: 'audio', frame_duration: '20' }));
    if (ret < 0) throw new Error(`cannot open the Opus encoder: ${FFmpegError.strerror(ret)}`);
    const available = readers.reduce((n, r) => n + r.channels, 0);
    const program = new AudioProgram(readers, encoder, expectedChannels ?? available, 0);
    program.setOffset(initialOffset);
    return program;
  }

  get channelOffset(): number {
    return this.offset;
  }

  /** Chooses the pair [offset, offset + 1] (the last channel alone plays on both sides). */
  setOffset(offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.channelCount) {
      throw new RangeError(`audio offset must be an integer from 0 to ${this.channelCount - 1}`);
    }
    this.offset = offset;
  }

  async seek(seconds: number): Promise<void> {
    await Promise.all(this.readers.map((r) => r.seek(seconds)));
  }

  /** Encodes the next 20 ms of the chosen pair; resolves with the Opus packet. */
  async next(): Promise<Buffer> {
    const blocks = await Promise.all(this.readers.map((r) => r.read(AUDIO_BLOCK)));
    const channels = blocks.flat();
    const silence = new Float32Array(AUDIO_BLOCK);
    const left = channels[this.offset] ?? silence;
    const right = this.offset + 1 < this.channelCount ? (channels[this.offset + 1] ?? silence) : left;
    const interleaved = new Float32Array(AUDIO_BLOCK * 2);
    for (let i = 0; i < AUDIO_BLOCK; i++) {
      interleaved[2 * i] = left[i];
      interleaved[2 * i + 1] = right[i];
    }
    const frame = new Frame();
    frame.alloc();
    try {
      frame.format = AV_SAMPLE_FMT_FLT;
      frame.sampleRate = AUDIO_RATE;
      frame.channelLayout = AV_CHANNEL_LAYOUT_STEREO;
      frame.nbSamples = AUDIO_BLOCK;
      frame.pts = this.pts;
      this.pts += BigInt(AUDIO_BLOCK);
      FFmpegError.throwIfError(frame.allocBuffer(), 'audio frame');
      FFmpegError.throwIfError(frame.fromBuffer(Buffer.from(interleaved.buffer)), 'audio frame');
      FFmpegError.throwIfError(await this.encoder.sendFrame(frame), 'Opus encoder');
    } finally {
      frame.free();
    }
    const out: Buffer[] = [];
    while ((await this.encoder.receivePacket(this.packet)) >= 0) {
      if (this.packet.data) out.push(Buffer.from(this.packet.data));
      this.packet.unref();
    }
    return Buffer.concat(out);
  }

  async close(): Promise<void> {
    this.packet.free();
    this.encoder.freeContext();
    await Promise.all(this.readers.map((r) => r.close()));
  }
}
