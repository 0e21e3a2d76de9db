/**
 * A WHEP viewer of one JIT stream (RFC 9725, no trickle): a receive-only video and audio track,
 * and the `control` data channel carrying JSON both ways (docs: "Control").
 */
import { encodeCommand, type ControlMessage } from './protocol';

const CONNECT_TIMEOUT_MS = 15000;
/** How long to wait for ICE candidates before offering what there is: longer with STUN/TURN servers, whose relay candidates can take a moment. */
const gatheringTimeoutMs = (iceServers: RTCIceServer[]): number => (iceServers.length ? 2000 : 1000);

export interface WhepOptions {
  iceServers?: RTCIceServer[];
  /** Each message off the control channel, as it came (text, or bytes). */
  onMessage(data: unknown): void;
  /** The received tracks, once the first one arrives (the picture may come before the channel opens). */
  onStream?(stream: MediaStream): void;
  /** Once, with a reason, when the stream goes away without close() being called. */
  onClosed(reason: string): void;
}

export interface WhepStream {
  readonly stream: MediaStream;
  send(command: ControlMessage): void;
  /** Ends this viewer: DELETE on its WHEP resource (the stream may be gone already). `unloading`: the page is going away, the request must outlive it. */
  close(unloading?: boolean): Promise<void>;
}

/** Chromium decodes Opus as mono unless its own offer asks for stereo, and an audio pair needs two sides. */
export function withStereoOpus(sdp: string): string {
  const opus = new Set(Array.from(sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000\/2/gim), (m) => m[1]));
  return sdp.replace(/^a=fmtp:(\d+) ([^\r\n]*?)(\r?)$/gm, (line, pt: string, params: string, cr: string) =>
    opus.has(pt) && !/stereo=/.test(params) ? `a=fmtp:${pt} ${params};stereo=1;sprop-stereo=1${cr}` : line,
  );
}

function gathered(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves once the channel is open and the picture has arrived; rejects when the connection fails or takes too long. */
function ready(pc: RTCPeerConnection, channel: RTCDataChannel, picture: Promise<void>): Promise<void> {
  const open = new Promise<void>((resolve) => channel.addEventListener('open', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no connection to the stream after ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    );
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed') return;
      clearTimeout(timer);
      reject(new Error('the connection to the stream failed (no usable network path; is a TURN server needed?)'));
    });
    void Promise.all([open, picture]).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Connects to `whepUrl`; resolves once the control channel is open and the video track has arrived. */
export async function connectWhep(whepUrl: string, options: WhepOptions): Promise<WhepStream> {
  const iceServers = options.iceServers ?? [];
  const pc = new RTCPeerConnection({ iceServers });
  const control = pc.createDataChannel('control');
  control.binaryType = 'arraybuffer';
  const stream = new MediaStream();
  let resource: string | null = null;
  let closing = false;
  let pictureArrived = () => {};
  const picture = new Promise<void>((resolve) => (pictureArrived = resolve));

  pc.addEventListener('track', (event) => {
    stream.addTrack(event.track);
    if (event.track.kind === 'video') pictureArrived();
    options.onStream?.(stream);
  });
  control.addEventListener('message', (event) => options.onMessage(event.data));
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });

  try {
    const offer = await pc.createOffer();
    await pc.setLocalDescription({ type: 'offer', sdp: withStereoOpus(offer.sdp ?? '') });
    await gathered(pc, gatheringTimeoutMs(iceServers));
    let response: Response;
    try {
      response = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
    } catch (error) {
      throw new Error(`the stream at ${whepUrl} cannot be reached (${(error as Error).message})`, { cause: error });
    }
    const answer = await response.text();
    if (!response.ok) throw new Error(`the stream refused the viewer (${response.status}): ${answer.slice(0, 300)}`);
    const location = response.headers.get('Location');
    resource = location ? new URL(location, new URL(whepUrl, document.baseURI)).href : null;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await ready(pc, control, picture);
  } catch (error) {
    closing = true;
    pc.close();
    if (resource) void fetch(resource, { method: 'DELETE' }).catch(() => {});
    throw error;
  }

  const lost = (reason: string) => {
    if (closing) return;
    closing = true;
    pc.close();
    options.onClosed(reason);
  };
  control.addEventListener('close', () => lost('the stream closed the connection'));
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed') lost('the connection to the stream failed');
  });

  return {
    stream,
    send(command) {
      if (control.readyState !== 'open') throw new Error('not connected to the stream');
      control.send(encodeCommand(command));
    },
    async close(unloading = false) {
      closing = true;
      pc.close();
      if (resource) await fetch(resource, { method: 'DELETE', keepalive: unloading }).catch(() => {});
    },
  };
}
