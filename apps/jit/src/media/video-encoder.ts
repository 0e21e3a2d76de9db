import {
  AV_PICTURE_TYPE_I,
  AV_PICTURE_TYPE_NONE,
  AV_PIX_FMT_YUV420P,
  AVCOL_PRI_BT709,
  AVCOL_RANGE_MPEG,
  AVCOL_SPC_BT709,
  AVCOL_TRC_BT709,
  Codec,
  CodecContext,
  Dictionary,
  FF_ENCODER_LIBVPX_VP8,
  FF_ENCODER_LIBX264,
  FFmpegError,
  type FFEncoderCodec,
  Frame,
  Packet,
  Rational as AvRational,
} from 'node-av';
import type { OutputPicture } from './video-filter';
import type { Rational } from './rational';

export type VideoCodecName = 'h264' | 'vp8';

export interface EncodedPicture {
  data: Buffer;
  keyframe: boolean;
}

/** Options per codec: no lookahead and no B-frames, so each picture comes out as soon as it goes in. */
function encoderSetup(
  codec: VideoCodecName,
  picture: OutputPicture,
): { name: FFEncoderCodec; options: Record<string, string>; bitRate: bigint } {
  const pixels = picture.width * picture.height;
  const maxRate = Math.round(Math.min(12e6, Math.max(1e6, pixels * 4)));
  if (codec === 'h264') {
    return {
      name: FF_ENCODER_LIBX264,
      bitRate: 0n,
      options: {
        preset: 'ultrafast',
        tune: 'zerolatency',
        profile: 'baseline',
        crf: '23',
        maxrate: String(maxRate),
        bufsize: String(maxRate),
        'forced-idr': '1',
      },
    };
  }
  return {
    name: FF_ENCODER_LIBVPX_VP8,
    bitRate: BigInt(maxRate),
    options: { deadline: 'realtime', 'cpu-used': '8', 'lag-in-frames': '0', 'error-resilient': '1', crf: '10' },
  };
}

/** One long-lived encoder per viewer: a picture in, one access unit out; keyframes on request. */
export class VideoEncoder {
  private readonly packet = new Packet();
  private pts = 0n;

  private constructor(
    private readonly context: CodecContext,
    readonly codec: VideoCodecName,
  ) {
    this.packet.alloc();
  }

  static async create(codec: VideoCodecName, picture: OutputPicture, rate: Rational, threads: number): Promise<VideoEncoder> {
    const setup = encoderSetup(codec, picture);
    const found = Codec.findEncoderByName(setup.name);
    if (!found) throw new Error(`encoder ${setup.name} is not available in this FFmpeg build`);
    const context = new CodecContext();
    context.allocContext3(found);
    context.width = picture.width;
    context.height = picture.height;
    context.pixelFormat = AV_PIX_FMT_YUV420P;
    context.timeBase = new AvRational(rate.den, rate.num);
    context.framerate = new AvRational(rate.num, rate.den);
    context.gopSize = 1 << 30;
    context.maxBFrames = 0;
    context.threadCount = threads;
    context.colorPrimaries = AVCOL_PRI_BT709;
    context.colorTrc = AVCOL_TRC_BT709;
    context.colorSpace = AVCOL_SPC_BT709;
    context.colorRange = AVCOL_RANGE_MPEG;
    if (setup.bitRate > 0n) context.bitRate = setup.bitRate;
    const ret = await context.open2(found, Dictionary.fromObject(setup.options));
    if (ret < 0) throw new Error(`cannot open ${setup.name}: ${FFmpegError.strerror(ret)}`);
    return new VideoEncoder(context, codec);
  }

  /**
   * Encodes one picture (not consumed); a keyframe is self-contained, the rest follow the last
   * picture encoded. Synchronous: a picture takes a few ms with the encoder's own threads, less
   * than a round trip through libuv's thread pool would add.
   */
  encode(picture: Frame, keyframe: boolean): EncodedPicture {
    const frame = new Frame();
    frame.alloc();
    frame.ref(picture);
    frame.pts = this.pts++;
    frame.timeBase = this.context.timeBase;
    frame.pictType = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    try {
      const sent = this.context.sendFrameSync(frame);
      if (sent < 0) throw new Error(`video encoder refused a picture: ${FFmpegError.strerror(sent)}`);
    } finally {
      frame.free();
    }
    const chunks: Buffer[] = [];
    let isKey = false;
    while (this.context.receivePacketSync(this.packet) >= 0) {
      const data = this.packet.data;
      if (data) chunks.push(Buffer.from(data));
      isKey ||= this.packet.isKeyframe;
      this.packet.unref();
    }
    if (chunks.length === 0) throw new Error('video encoder gave no output for a picture');
    return { data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), keyframe: isKey };
  }

  close(): void {
    this.packet.free();
    this.context.freeContext();
  }
}
