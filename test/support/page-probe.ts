/**
 * The tests' probe in a player page: installed by the test before the page's own script runs
 * (page.addInitScript, see openPlayer), never shipped with the page. It reads what a viewer gets:
 * the picture of the page's <video> (the frame index every test clip carries in its pixels), its
 * sound, the page's connection line; and it listens on the WebRTC connection the page makes (the
 * browser's RTCPeerConnection, wrapped) for the control channel's messages, the stats, and to send
 * commands of the test's own, invalid ones included. Connecting is a click on the page's Connect.
 *
 * installProbe runs in the page: it is passed to the browser as its source text, so it must use
 * nothing from outside its own body.
 */

export interface ProbeMessage {
  type: string;
  [field: string]: unknown;
}

/** What the probe's connect takes besides the URL: a session's iceServers, 'relay' to go through TURN only. */
export interface ProbeConnectOptions {
  iceServers?: { urls: string[] | string; username?: string; credential?: string }[];
  iceTransportPolicy?: 'all' | 'relay';
  timeoutMs?: number;
}

export interface ToneLevel {
  freq: number;
  db: number;
}

type VideoCounter =
  | 'framesDecoded'
  | 'framesReceived'
  | 'framesDropped'
  | 'keyFramesDecoded'
  | 'frameWidth'
  | 'frameHeight'
  | 'framesPerSecond'
  | 'packetsLost'
  | 'nackCount'
  | 'pliCount'
  | 'jitterBufferDelay'
  | 'jitterBufferEmittedCount'
  | 'totalDecodeTime';

export type ProbeStats = Record<VideoCounter, number> & {
  codec: string | null;
  audioCodec: string | null;
  audioChannels: number | null;
  audioPacketsReceived: number;
  connectionState: RTCPeerConnectionState;
};

/** The probe, as `window.probe` in a page opened with openPlayer. */
export interface PageProbe {
  /** Fills the page's stream field with `whepUrl` (if given) and clicks Connect; resolves once the page says connected, rejects with the page's error line. */
  connect(whepUrl?: string, options?: ProbeConnectOptions): Promise<void>;
  /** Clicks Disconnect; resolves once the page says disconnected. */
  disconnect(): Promise<void>;
  /** Sends a message (an object as JSON, a string as it is) on the page's control channel. */
  send(message: unknown): void;
  /** Sends, then resolves with the first later message matching the predicate. */
  sendAndWait(message: unknown, predicate: string | ((m: ProbeMessage) => boolean), timeoutMs?: number): Promise<ProbeMessage>;
  /** Every message the JIT sent on the control channel since the page loaded. */
  messages: ProbeMessage[];
  /** performance.now() when each of `messages` arrived. */
  messageTimes: number[];
  /** The first message from index `fromIndex` on matching the predicate: a function, its source, or an expression over `m`. */
  waitForMessage(predicate: string | ((m: ProbeMessage) => boolean), timeoutMs?: number, fromIndex?: number): Promise<ProbeMessage>;
  /** The index in the picture shown, -1 when none is. */
  readFrameIndex(): number;
  /** Lumas (0..255) of the 16 index columns, null without a picture. */
  readBandLumas(): number[] | null;
  /** ms from `since` (default: the call) until the frame carrying index n was presented; rejects naming the last index seen. */
  waitForFrameIndex(n: number, timeoutMs?: number, since?: number): Promise<number>;
  startFrameLog(): void;
  stopFrameLog(): { index: number; t: number; mediaTime: number | null; presentedFrames: number | null }[];
  videoSize(): { width: number; height: number };
  /** Dominant frequency and level (dBFS) on each side of the sound the page receives. */
  audioLevels(settleMs?: number): Promise<{ left: ToneLevel; right: ToneLevel; sampleRate: number; contextState: string }>;
  /** Counters of the inbound video (0 before any), the codecs, the connection's state; null without a connection. */
  stats(): Promise<ProbeStats | null>;
  /** The page's latest RTCPeerConnection. */
  readonly pc: RTCPeerConnection | null;
  /** The page's <video>. */
  readonly video: HTMLVideoElement;
}

export function installProbe(): void {
  const FRAME_INDEX_BITS = 16;
  const w = window as unknown as { probe: PageProbe; RTCPeerConnection: typeof RTCPeerConnection };
  const messages: ProbeMessage[] = [];
  const messageTimes: number[] = [];
  const waiters = new Set<{ test(m: ProbeMessage): boolean; resolve(m: ProbeMessage): void }>();
  let pc: RTCPeerConnection | null = null;
  let channel: RTCDataChannel | null = null;
  /** Set by connect() for the page's next connection. */
  let peerOverrides: RTCConfiguration = {};

  const video = () => document.querySelector('video')!;
  const byId = (id: string) => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`the page has no #${id}`);
    return element;
  };

  function onMessage(data: unknown): void {
    let message: ProbeMessage;
    try {
      message = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      message = { type: 'invalid', raw: String(data) };
    }
    messages.push(message);
    messageTimes.push(performance.now());
    for (const waiter of Array.from(waiters)) {
      if (waiter.test(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  }

  const made = (connection: RTCPeerConnection) => {
    pc = connection;
  };
  // The page's connections, seen from inside: the same RTCPeerConnection, with the test's ICE settings.
  const Original = w.RTCPeerConnection;
  class Probed extends Original {
    constructor(config?: RTCConfiguration) {
      super({ ...config, ...peerOverrides });
      made(this);
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const created = super.createDataChannel(label, init);
      if (label === 'control') {
        channel = created;
        created.addEventListener('message', (event) => onMessage(event.data));
      }
      return created;
    }
  }
  w.RTCPeerConnection = Probed;

  function toPredicate(predicate: string | ((m: ProbeMessage) => boolean)): (m: ProbeMessage) => boolean {
    if (typeof predicate === 'function') return predicate;
    const source = predicate.trim();
    const isFunction = /^(async\s+)?function\b/.test(source) || /^(\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.test(source);
    const fn = isFunction ? (0, eval)(`(${source})`) : new Function('m', `return (${source});`);
    return (m) => {
      try {
        return Boolean(fn(m));
      } catch {
        return false;
      }
    };
  }

  function waitForMessage(predicate: string | ((m: ProbeMessage) => boolean), timeoutMs = 5000, fromIndex = 0): Promise<ProbeMessage> {
    const test = toPredicate(predicate);
    for (let i = Math.max(0, fromIndex); i < messages.length; i++) if (test(messages[i])) return Promise.resolve(messages[i]);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: ProbeMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timeout after ${timeoutMs} ms waiting for a message matching ${String(predicate)}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  }

  function send(message: unknown): void {
    if (!channel || channel.readyState !== 'open') throw new Error('control channel is not open');
    channel.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves once the page's connection line passes `test`; its text. */
  function connectionLine(test: (text: string) => boolean, timeoutMs: number): Promise<string> {
    const line = byId('conn');
    return new Promise((resolve, reject) => {
      const check = () => {
        const text = line.textContent ?? '';
        if (!test(text)) return false;
        observer.disconnect();
        clearTimeout(timer);
        resolve(text);
        return true;
      };
      const observer = new MutationObserver(check);
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error(`the page says "${line.textContent}" after ${timeoutMs} ms`));
      }, timeoutMs);
      observer.observe(line, { childList: true, characterData: true, subtree: true });
      check();
    });
  }

  const isButton = (label: string) => byId('connect').textContent === label;

  async function disconnect(): Promise<void> {
    if (isButton('Connect')) return;
    byId('connect').click();
    await connectionLine((text) => text === 'disconnected', 10_000);
  }

  async function connect(whepUrl?: string, options: ProbeConnectOptions = {}): Promise<void> {
    if (!isButton('Connect')) await disconnect();
    peerOverrides = {};
    if (options.iceServers) peerOverrides.iceServers = options.iceServers;
    if (options.iceTransportPolicy) peerOverrides.iceTransportPolicy = options.iceTransportPolicy;
    if (whepUrl) (byId('whep-url') as HTMLInputElement).value = whepUrl;
    byId('connect').click();
    const said = await connectionLine((text) => text === 'connected' || text.startsWith('failed'), options.timeoutMs ?? 20_000);
    if (said !== 'connected') throw new Error(byId('error').textContent || said);
  }

  // ---- the picture: the index band (16 columns across the top, bit 0 left-most, white = 1)

  const canvas = document.createElement('canvas');
  let context: CanvasRenderingContext2D | null = null;

  function readBandLumas(): number[] | null {
    const v = video();
    const width = v?.videoWidth;
    const height = v?.videoHeight;
    if (!width || !height || v.readyState < 2) return null;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    context ??= canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(v, 0, 0, width, height);
    const y = Math.max(1, Math.floor(height / 16));
    const rows = context.getImageData(0, y - 1, width, 3).data;
    const lumas: number[] = [];
    for (let i = 0; i < FRAME_INDEX_BITS; i++) {
      const x = Math.min(width - 2, Math.max(1, Math.floor(((i + 0.5) * width) / FRAME_INDEX_BITS)));
      let sum = 0;
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const p = (dy * width + x + dx) * 4;
          sum += 0.299 * rows[p] + 0.587 * rows[p + 1] + 0.114 * rows[p + 2];
        }
      }
      lumas.push(sum / 9);
    }
    return lumas;
  }

  function readFrameIndex(): number {
    const lumas = readBandLumas();
    if (!lumas) return -1;
    let n = 0;
    for (let i = 0; i < FRAME_INDEX_BITS; i++) if (lumas[i] > 128) n |= 1 << i;
    return n;
  }

  function onNextFrame(callback: (now: number, meta: VideoFrameCallbackMetadata | null) => void): void {
    const v = video();
    if (typeof v.requestVideoFrameCallback === 'function') v.requestVideoFrameCallback((now, meta) => callback(now, meta));
    else requestAnimationFrame((now) => callback(now, null));
  }

  /**
   * Checks on each presented frame (and every 16 ms, for a still frame already up); the time is the
   * frame's presentationTime, so reading the pixels back is not counted.
   */
  function waitForFrameIndex(n: number, timeoutMs = 5000, since = performance.now()): Promise<number> {
    return new Promise((resolve, reject) => {
      let last = -1;
      let done = false;
      const finish = () => {
        done = true;
        clearInterval(poll);
        clearTimeout(timer);
      };
      const check = (presentedAt?: number) => {
        if (done) return true;
        const at = presentedAt ?? performance.now();
        last = readFrameIndex();
        if (last !== n) return false;
        finish();
        resolve(at - since);
        return true;
      };
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata | null) => {
        if (!check(meta ? meta.presentationTime : undefined)) onNextFrame(onFrame);
      };
      const poll = setInterval(() => check(), 16);
      const timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(
          Object.assign(new Error(`timeout after ${timeoutMs} ms waiting for frame index ${n}; last index seen ${last}`), {
            lastIndex: last,
          }),
        );
      }, timeoutMs);
      if (!check()) onNextFrame(onFrame);
    });
  }

  type LogEntry = { index: number; t: number; mediaTime: number | null; presentedFrames: number | null };
  let frameLog: LogEntry[] | null = null;
  function startFrameLog(): void {
    const log: LogEntry[] = [];
    frameLog = log;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata | null) => {
      if (frameLog !== log) return;
      log.push({
        index: readFrameIndex(),
        t: performance.now(),
        mediaTime: meta ? meta.mediaTime : null,
        presentedFrames: meta ? meta.presentedFrames : null,
      });
      onNextFrame(onFrame);
    };
    onNextFrame(onFrame);
  }
  function stopFrameLog(): LogEntry[] {
    const log = frameLog ?? [];
    frameLog = null;
    return log;
  }

  // ---- the sound: WebAudio analysers on each side of the received audio track

  let audio: { ctx: AudioContext; track: MediaStreamTrack | null; nodes: AudioNode[]; left: AnalyserNode; right: AnalyserNode } | null =
    null;

  function audioTrack(): MediaStreamTrack | null {
    const stream = video()?.srcObject;
    return stream instanceof MediaStream ? (stream.getAudioTracks()[0] ?? null) : null;
  }

  function buildAudioGraph(track: MediaStreamTrack): void {
    const ctx = audio ? audio.ctx : new AudioContext();
    if (audio) for (const node of audio.nodes) node.disconnect();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const splitter = ctx.createChannelSplitter(2);
    const analyser = () => Object.assign(ctx.createAnalyser(), { fftSize: 8192, smoothingTimeConstant: 0 });
    const left = analyser();
    const right = analyser();
    const sink = ctx.createGain(); // keeps the graph pulled, silently
    sink.gain.value = 0;
    source.connect(splitter);
    splitter.connect(left, 0);
    splitter.connect(right, 1);
    left.connect(sink);
    right.connect(sink);
    sink.connect(ctx.destination);
    audio = { ctx, track, nodes: [source, splitter, left, right], left, right };
  }

  function dominant(analyser: AnalyserNode, sampleRate: number): ToneLevel {
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const binHz = sampleRate / analyser.fftSize;
    let best = -1;
    let bestDb = -Infinity;
    for (let i = Math.max(1, Math.ceil(20 / binHz)); i < bins.length - 1; i++) {
      if (bins[i] > bestDb) {
        bestDb = bins[i];
        best = i;
      }
    }
    if (best < 0 || !Number.isFinite(bestDb)) return { freq: 0, db: -200 };
    // parabolic interpolation between neighbouring bins
    const [a, b, c] = [bins[best - 1], bins[best], bins[best + 1]];
    const denom = a - 2 * b + c;
    const delta = Number.isFinite(denom) && denom !== 0 ? (0.5 * (a - c)) / denom : 0;
    const freq = (best + Math.max(-0.5, Math.min(0.5, delta))) * binHz;
    return { freq: Math.round(freq * 10) / 10, db: Math.round(Math.max(-200, bestDb) * 10) / 10 };
  }

  /** The first call for a track sets up the graph and waits `settleMs` for the analysers to fill (8192 samples ≈ 170 ms at 48 kHz). */
  async function audioLevels(settleMs = 400) {
    const track = audioTrack();
    if (!track) throw new Error('no audio track');
    const fresh = !audio || audio.track !== track;
    if (fresh) buildAudioGraph(track);
    const { ctx, left, right } = audio!;
    if (ctx.state !== 'running') await ctx.resume().catch(() => {});
    if (fresh) await new Promise((r) => setTimeout(r, settleMs));
    return {
      left: dominant(left, ctx.sampleRate),
      right: dominant(right, ctx.sampleRate),
      sampleRate: ctx.sampleRate,
      contextState: ctx.state as string,
    };
  }

  // ---- the connection's own figures

  const VIDEO_COUNTERS: VideoCounter[] = [
    'framesDecoded',
    'framesReceived',
    'framesDropped',
    'keyFramesDecoded',
    'frameWidth',
    'frameHeight',
    'framesPerSecond',
    'packetsLost',
    'nackCount',
    'pliCount',
    'jitterBufferDelay',
    'jitterBufferEmittedCount',
    'totalDecodeTime',
  ];

  async function stats(): Promise<ProbeStats | null> {
    if (!pc) return null;
    const report = await pc.getStats();
    type Stat = Record<string, unknown>; // a stats entry, whatever its type
    let v = null as Stat | null;
    let a = null as Stat | null;
    const codecs = new Map<unknown, Stat>();
    report.forEach((s: Stat) => {
      if (s.type === 'codec') codecs.set(s.id, s);
      if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'video') v = s;
      if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'audio') a = s;
    });
    const codecOf = (s: Stat | null): Stat | null => (s?.codecId ? (codecs.get(s.codecId) ?? null) : null);
    const vc = codecOf(v);
    const ac = codecOf(a);
    return {
      ...(Object.fromEntries(VIDEO_COUNTERS.map((name) => [name, v ? Number(v[name] || 0) : 0])) as Record<VideoCounter, number>),
      codec: vc ? String(vc.mimeType) : null,
      audioCodec: ac ? String(ac.mimeType) : null,
      audioChannels: ac ? Number(ac.channels) || null : null,
      audioPacketsReceived: a ? Number(a.packetsReceived || 0) : 0,
      connectionState: pc.connectionState,
    };
  }

  w.probe = {
    connect,
    disconnect,
    send,
    sendAndWait(message, predicate, timeoutMs = 5000) {
      const from = messages.length;
      send(message);
      return waitForMessage(predicate, timeoutMs, from);
    },
    messages,
    messageTimes,
    waitForMessage,
    readFrameIndex,
    readBandLumas,
    waitForFrameIndex,
    startFrameLog,
    stopFrameLog,
    videoSize: () => ({ width: video()?.videoWidth ?? 0, height: video()?.videoHeight ?? 0 }),
    audioLevels,
    stats,
    get pc() {
      return pc;
    },
    get video() {
      return video();
    },
  };
}
