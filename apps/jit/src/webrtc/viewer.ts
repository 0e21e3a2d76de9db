import { MediaStreamTrack, RTCPeerConnection, type RTCDataChannel, type RTCRtpTransceiver } from 'werift';
import type { Logger } from '@jit/logging';
import { parseControlMessage, type ServerMessage } from '@jit/protocol';
import type { MediaCatalog, MediaPipeline } from '../media/media-catalog';
import { Playback } from '../playback/playback';
import { peerConfig, type PeerSettings } from './peer-config';
import { AudioRtpOutput, VideoRtpOutput } from './rtp-outputs';
import type { VideoCodecName } from '../media/video-encoder';

/** An offer we cannot answer; the message says why (HTTP 400). */
export class OfferError extends Error {
  override readonly name = 'OfferError';
}

/** How long ICE may stay disconnected before the viewer counts as gone. */
const DISCONNECT_GRACE_MS = 5000;

function videoCodecOf(transceiver: RTCRtpTransceiver): VideoCodecName {
  const names = transceiver.codecs.map((c) => c.mimeType.toLowerCase());
  if (names.includes('video/h264')) return 'h264';
  if (names.includes('video/vp8')) return 'vp8';
  throw new OfferError('the offer supports neither H.264 nor VP8 video');
}

/**
 * One browser watching the stream: its peer connection, its own decoder/encoder pipeline
 * and transport state, and the `control` data channel that drives it.
 */
export class Viewer {
  readonly createdAt = Date.now();
  lastActivity = Date.now();
  private channel?: RTCDataChannel;
  private readonly outbox: string[] = [];
  private closing?: Promise<void>;
  private disconnectTimer?: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    private readonly pc: RTCPeerConnection,
    readonly playback: Playback,
    readonly codec: VideoCodecName,
    private readonly log: Logger,
    private readonly closePipeline: () => Promise<void>,
    private readonly onClosed: (viewer: Viewer) => void,
  ) {}

  /** Answers a WHEP offer. The media pipeline is opened before answering, so a broken input fails the request. */
  static async answer(
    id: string,
    offer: string,
    deps: { peer: PeerSettings; media: MediaCatalog; log: Logger; onClosed: (viewer: Viewer) => void },
  ): Promise<{ viewer: Viewer; answer: string }> {
    const started = performance.now();
    const log = deps.log.child({ viewer: id });
    const pc = new RTCPeerConnection(peerConfig(deps.peer));
    let pipeline: MediaPipeline | undefined;
    try {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      } catch (error) {
        throw new OfferError(`malformed SDP offer: ${(error as Error).message}`);
      }
      // DTLS server (a=setup:passive): the browser's ClientHello then goes out as soon as ICE
      // connects, where werift as the client would first wait a fixed 100 ms.
      for (const transport of pc.dtlsTransports) transport.role = 'server';
      const transceivers = pc.getTransceivers();
      const videoTransceiver = transceivers.find((t) => t.kind === 'video');
      if (!videoTransceiver) throw new OfferError('the offer has no video media section');
      const audioTransceiver = transceivers.find((t) => t.kind === 'audio');
      const codec = videoCodecOf(videoTransceiver);

      const videoTrack = new MediaStreamTrack({ kind: 'video' });
      await videoTransceiver.sender.replaceTrack(videoTrack);
      videoTransceiver.setDirection('sendonly');
      if (audioTransceiver) {
        await audioTransceiver.sender.replaceTrack(new MediaStreamTrack({ kind: 'audio' }));
        audioTransceiver.setDirection('sendonly');
      }

      let viewer: Viewer | undefined;
      const emit = (message: ServerMessage) => viewer?.send(message);
      const sendFailed = (error: unknown) => log.debug({ err: error }, 'RTP send failed');
      pipeline = await deps.media.openPipeline(codec);
      const audio =
        pipeline.audio && audioTransceiver
          ? { program: pipeline.audio, output: new AudioRtpOutput(audioTransceiver.sender, sendFailed) }
          : undefined;
      const playback = new Playback({
        frames: pipeline.video,
        timing: pipeline.timing,
        timecode: pipeline.timecode,
        video: new VideoRtpOutput(videoTransceiver, codec, sendFailed),
        audio,
        frameCount: pipeline.frameCount,
        emit,
        log,
      });
      viewer = new Viewer(id, pc, playback, codec, log, pipeline.close, deps.onClosed);
      viewer.wire(videoTransceiver);

      log.debug({ ms: +(performance.now() - started).toFixed(1) }, 'media pipeline open');
      await pc.setLocalDescription(await pc.createAnswer());
      await viewer.gatheringComplete();
      const answer = pc.localDescription?.sdp;
      if (!answer) throw new Error('no local description after answering');
      log.info({ codec, audio: Boolean(audio), ms: +(performance.now() - started).toFixed(1) }, 'viewer answered');
      return { viewer, answer };
    } catch (error) {
      await pc.close().catch(() => undefined);
      await pipeline?.close();
      throw error;
    }
  }

  private wire(videoTransceiver: RTCRtpTransceiver): void {
    let started = false;
    this.pc.iceConnectionStateChange.subscribe((state) => this.log.debug({ state }, 'ICE connection state'));
    this.pc.connectionStateChange.subscribe((state) => {
      this.log.debug({ state }, 'connection state');
      clearTimeout(this.disconnectTimer);
      if (state === 'connected' && !started) {
        started = true;
        void this.playback.start();
      } else if (state === 'disconnected') {
        this.disconnectTimer = setTimeout(() => void this.close('connection lost'), DISCONNECT_GRACE_MS);
      } else if (state === 'failed' || state === 'closed') {
        void this.close(`connection ${state}`);
      }
    });
    videoTransceiver.sender.onPictureLossIndication.subscribe(() => this.playback.requestKeyframe());
    this.pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== 'control') return;
      this.channel = channel;
      const flush = () => {
        for (const message of this.outbox.splice(0)) channel.send(message);
      };
      channel.stateChanged.subscribe((state) => state === 'open' && flush());
      if (channel.readyState === 'open') flush();
      channel.onMessage.subscribe((data) => this.receive(data));
    });
  }

  private receive(data: string | Buffer): void {
    this.lastActivity = Date.now();
    const parsed = parseControlMessage(data);
    if (!parsed.ok) {
      this.send({ type: 'error', message: `invalid control message: ${parsed.reason}` });
      return;
    }
    this.log.debug({ message: parsed.message }, 'control');
    void this.playback.command(parsed.message);
  }

  send(message: ServerMessage): void {
    const text = JSON.stringify(message);
    if (this.channel?.readyState === 'open') this.channel.send(text);
    else this.outbox.push(text);
  }

  private gatheringComplete(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const { unSubscribe } = this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') {
          unSubscribe();
          resolve();
        }
      });
    });
  }

  close(reason: string): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.disconnectTimer);
      this.log.info({ reason }, 'viewer closed');
      await this.playback.close();
      await this.pc.close().catch(() => undefined);
      await this.closePipeline();
      this.onClosed(this);
    })();
    return this.closing;
  }
}
