/**
 * A WHEP viewer of one JIT stream (RFC 9725, no trickle): a receive-only video and audio track
 * and the `control` data channel (README.md, "Control") carrying JSON both ways.
 */

const GATHERING_TIMEOUT_MS = 2000; // TURN relay candidates can take a moment
const CONNECT_TIMEOUT_MS = 15000;

/** Chromium decodes Opus as mono unless its own offer asks for stereo, and an audio pair needs two sides. */
function withStereoOpus(sdp) {
  const opus = new Set(Array.from(sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000\/2/gim), (m) => m[1]));
  return sdp.replace(/^a=fmtp:(\d+) ([^\r\n]*)(\r?)$/gm, (line, pt, params, cr) =>
    opus.has(pt) && !/stereo=/.test(params) ? `a=fmtp:${pt} ${params};stereo=1;sprop-stereo=1${cr}` : line,
  );
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHERING_TIMEOUT_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function opened(channel, pc) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection to the stream after ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    channel.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed') return;
      clearTimeout(timer);
      reject(new Error('the connection to the stream failed (no usable network path; is a TURN server needed?)'));
    });
  });
}

/**
 * Connects to `whepUrl`; resolves once the control channel is open with
 * { stream, send(message), close() }. `onMessage` gets each parsed message, `onClosed` a reason
 * once when the stream goes away without close() being called.
 */
export async function connectWhep(whepUrl, { iceServers = [], onMessage, onClosed }) {
  const pc = new RTCPeerConnection({ iceServers });
  const control = pc.createDataChannel('control');
  const stream = new MediaStream();
  let resource = null;
  let closing = false;
  const lost = (reason) => {
    if (closing) return;
    closing = true;
    pc.close();
    onClosed(reason);
  };

  pc.addEventListener('track', (e) => stream.addTrack(e.track));
  control.addEventListener('message', (e) => {
    let message;
    try {
      message = JSON.parse(e.data);
    } catch {
      message = { type: 'error', message: `unreadable message from the stream: ${String(e.data).slice(0, 100)}` };
    }
    onMessage(message);
  });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });

  try {
    const offer = await pc.createOffer();
    await pc.setLocalDescription({ type: 'offer', sdp: withStereoOpus(offer.sdp) });
    await gathered(pc);
    let response;
    try {
      response = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    } catch (error) {
      throw new Error(`the stream at ${whepUrl} cannot be reached (${error.message})`);
    }
    const answer = await response.text();
    if (!response.ok) throw new Error(`the stream refused the viewer (${response.status}): ${answer.slice(0, 300)}`);
    const location = response.headers.get('Location');
    resource = location ? new URL(location, whepUrl).href : null;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await opened(control, pc);
  } catch (error) {
    closing = true;
    pc.close();
    throw error;
  }

  control.addEventListener('close', () => lost('the stream closed the connection'));
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed') lost('the connection to the stream failed');
  });

  return {
    stream,
    send(message) {
      if (control.readyState !== 'open') throw new Error('not connected to the stream');
      control.send(JSON.stringify(message));
    },
    /** Ends this viewer: DELETE on its WHEP resource (the stream may already be gone). */
    async close() {
      closing = true;
      pc.close();
      if (resource) await fetch(resource, { method: 'DELETE' }).catch(() => {});
    },
  };
}
