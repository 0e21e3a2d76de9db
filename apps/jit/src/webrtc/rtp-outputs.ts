import {
  H264Packetizer,
  OpusPacketizer,
  type PacketizerBase,
  type RTCRtpSender,
  type RTCRtpTransceiver,
  type RtpPacket,
  Vp8Packetizer,
} from 'werift';
import { PLAYOUT_DELAY_URI } from './peer-config';
import type { VideoCodecName } from '../media/video-encoder';

type SendFailure = (error: unknown) => void;

/**
 * RTP timestamps that follow the wall clock and never go backwards, whatever happens to
 * the source (seek, pause, a new encoder keyframe): browsers drop or delay frames otherwise.
 */
class WallClockTimestamps {
  private readonly origin = performance.now();
  private last = -1;

  constructor(private readonly rate: number) {}

  next(): number {
    const wall = Math.floor(((performance.now() - this.origin) * this.rate) / 1000);
    this.last = Math.max(wall, this.last + 1);
    return this.last;
  }
}

/** Playout delay min = max = 0 (12 bits each, in 10 ms units): render on decode. Read-only, shared by every packet. */
const ZERO_PLAYOUT_DELAY = Buffer.alloc(3);

function send(sender: RTCRtpSender, packets: RtpPacket[], onError: SendFailure): void {
  for (const packet of packets) sender.sendRtp(packet).catch(onError);
}

/** Sends whole encoded pictures; sequence numbers stay continuous because one packetizer lives as long as the track. */
export class VideoRtpOutput {
  private readonly packetizer: H264Packetizer | Vp8Packetizer;
  private readonly clock = new WallClockTimestamps(90_000);
  private readonly sender: RTCRtpSender;
  /** Negotiated id of the playout-delay extension, when the browser offered it. */
  private readonly playoutDelayId?: number;

  constructor(
    transceiver: RTCRtpTransceiver,
    codec: VideoCodecName,
    private readonly onError: SendFailure,
  ) {
    this.sender = transceiver.sender;
    this.packetizer = codec === 'h264' ? new H264Packetizer({ inputFormat: 'annexb' }) : new Vp8Packetizer();
    this.playoutDelayId = transceiver.headerExtensions.find((e) => e.uri === PLAYOUT_DELAY_URI)?.id;
  }

  send(picture: { data: Buffer }): void {
    const packets = this.packetizer.packetize(picture.data, this.clock.next() >>> 0);
    if (this.playoutDelayId !== undefined) {
      for (const p of packets) p.header.extensions.push({ id: this.playoutDelayId, payload: ZERO_PLAYOUT_DELAY });
    }
    send(this.sender, packets, this.onError);
  }
}

/** Sends 20 ms Opus packets; within a run of playback, timestamps advance by exactly one block. */
export class AudioRtpOutput {
  private readonly packetizer: PacketizerBase = new OpusPacketizer();
  private readonly clock = new WallClockTimestamps(48_000);
  /** The timestamp of the next packet: never before the end of the last one sent. */
  private timestamp = 0;

  constructor(
    private readonly sender: RTCRtpSender,
    private readonly onError: SendFailure,
  ) {}

  /** A new run of playback starts at the wall clock, after a gap the receiver hears as silence. */
  startRun(): void {
    this.timestamp = Math.max(this.clock.next(), this.timestamp);
    this.packetizer.startTalkspurt();
  }

  send(opus: Buffer): void {
    if (opus.length === 0) return;
    send(this.sender, this.packetizer.packetize(opus, this.timestamp >>> 0), this.onError);
    this.timestamp += 960;
  }
}
