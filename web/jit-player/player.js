/*
 * JIT review player: a WHEP client (POST /whep, non-trickle) receiving one video and one audio
 * track, plus a `control` data channel carrying JSON commands and state messages.
 *
 * window.jit is the programmatic interface used by the end-to-end tests (see README of the
 * tests / test/support/browser.ts). Plain browser JavaScript, no build step.
 */
(function () {
  'use strict';

  const FRAME_INDEX_BITS = 16;
  const CONNECT_TIMEOUT_MS = 15000;
  const ICE_GATHERING_TIMEOUT_MS = 1000;

  const $ = (id) => document.getElementById(id);
  const video = $('video');
  const ui = {
    conn: $('conn'),
    status: $('status'),
    error: $('error'),
    play: $('btn-play'),
    pause: $('btn-pause'),
    stepBack: $('btn-step-back'),
    stepFwd: $('btn-step-fwd'),
    frameInput: $('frame-input'),
    seek: $('btn-seek'),
    audioOffset: $('audio-offset'),
    sound: $('btn-sound'),
    connect: $('btn-connect'),
  };

  // Chromium only feeds remote WebRTC audio into WebAudio while the stream is also attached to
  // a media element; this muted element is that sink (the <video> may be unmuted by the user).
  const audioSink = document.createElement('audio');
  audioSink.muted = true;
  audioSink.autoplay = true;
  audioSink.hidden = true;
  document.body.appendChild(audioSink);

  // ---------------------------------------------------------------------------------------
  // State

  let pc = null;
  let dc = null;
  let resourceUrl = null;
  let videoTrack = null;
  let audioTrack = null;
  let connectSeq = 0;

  const messages = [];
  const messageTimes = [];
  const waiters = new Set();
  const view = { conn: 'idle', state: null, frame: null };

  // ---------------------------------------------------------------------------------------
  // UI

  function setConn(conn, detail) {
    view.conn = conn;
    ui.conn.dataset.conn = conn;
    ui.conn.textContent = conn === 'idle' ? 'not connected' : detail ? `${conn}: ${detail}` : conn;
    const open = conn === 'connected';
    for (const b of [ui.play, ui.pause, ui.stepBack, ui.stepFwd, ui.seek]) b.disabled = !open;
    ui.connect.textContent = conn === 'connected' || conn === 'connecting' ? 'Disconnect' : 'Connect';
  }

  function renderStatus() {
    const size = video.videoWidth ? ` · ${video.videoWidth}×${video.videoHeight}` : '';
    ui.status.dataset.state = view.state || '';
    ui.status.dataset.frame = view.frame == null ? '' : String(view.frame);
    ui.status.textContent =
      `state: ${view.state || '–'} · frame: ${view.frame == null ? '–' : view.frame}${size}`;
  }

  function showError(text) {
    ui.error.textContent = text ? String(text) : '';
  }

  // ---------------------------------------------------------------------------------------
  // Messages

  function onMessage(data) {
    let msg;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
    } catch (e) {
      msg = { type: 'invalid', raw: String(data) };
    }
    messages.push(msg);
    messageTimes.push(performance.now());

    if (msg && typeof msg === 'object') {
      if (msg.type === 'state') {
        if (typeof msg.state === 'string') view.state = msg.state;
        if (Number.isFinite(msg.frame)) view.frame = msg.frame;
        renderStatus();
      } else if (msg.type === 'seeked' || msg.type === 'frame') {
        if (Number.isFinite(msg.frame)) view.frame = msg.frame;
        renderStatus();
      } else if (msg.type === 'error') {
        showError(`server: ${msg.message}`);
      }
    }

    for (const w of Array.from(waiters)) {
      if (w.test(msg)) {
        waiters.delete(w);
        w.resolve(msg);
      }
    }
  }

  function toPredicate(pred) {
    if (typeof pred === 'function') return pred;
    if (typeof pred !== 'string') throw new TypeError('predicate must be a function or its source');
    const src = pred.trim();
    const looksLikeFunction = /^(async\s+)?function\b/.test(src) || /^(\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.test(src);
    // eslint-disable-next-line no-new-func
    return looksLikeFunction ? (0, eval)(`(${src})`) : new Function('m', `return (${src});`);
  }

  function safeTest(fn, msg) {
    try {
      return !!fn(msg);
    } catch (e) {
      return false;
    }
  }

  /**
   * Resolves with the first message (from index `fromIndex` of jit.messages on, including
   * those already received) for which the predicate is true. The predicate is a function or
   * its source: "m => m.type === 'seeked'" or an expression over `m`: "m.type === 'seeked'".
   */
  function waitForMessage(pred, timeoutMs = 5000, fromIndex = 0) {
    const fn = toPredicate(pred);
    for (let i = Math.max(0, fromIndex); i < messages.length; i++) {
      if (safeTest(fn, messages[i])) return Promise.resolve(messages[i]);
    }
    return new Promise((resolve, reject) => {
      const w = {
        test: (m) => safeTest(fn, m),
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timeout after ${timeoutMs} ms waiting for a message matching ${String(pred)}`));
      }, timeoutMs);
      waiters.add(w);
    });
  }

  function send(msg) {
    if (!dc || dc.readyState !== 'open') throw new Error('control channel is not open');
    dc.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Sends a message and waits for a reply matching the predicate (only messages after the send). */
  function sendAndWait(msg, pred, timeoutMs = 5000) {
    const from = messages.length;
    send(msg);
    return waitForMessage(pred, timeoutMs, from);
  }

  // ---------------------------------------------------------------------------------------
  // WHEP

  /** Asks for stereo Opus: Chromium decodes Opus as mono unless its own offer says stereo=1. */
  function preferStereoOpus(sdp) {
    const lines = sdp.split('\r\n');
    const opusPts = [];
    for (const l of lines) {
      const m = /^a=rtpmap:(\d+) opus\/48000\/2/i.exec(l);
      if (m) opusPts.push(m[1]);
    }
    return lines
      .map((l) => {
        const m = /^a=fmtp:(\d+) (.*)$/.exec(l);
        if (!m || !opusPts.includes(m[1])) return l;
        let params = m[2];
        if (!/(^|;)\s*stereo=/.test(params)) params += ';stereo=1';
        if (!/(^|;)\s*sprop-stereo=/.test(params)) params += ';sprop-stereo=1';
        return `a=fmtp:${m[1]} ${params}`;
      })
      .join('\r\n');
  }

  function iceGatheringDone(peer, timeoutMs) {
    if (peer.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        peer.removeEventListener('icegatheringstatechange', onChange);
        clearTimeout(timer);
        resolve();
      };
      const onChange = () => {
        if (peer.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, timeoutMs);
      peer.addEventListener('icegatheringstatechange', onChange);
    });
  }

  function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: timeout after ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  // A JIT of an orchestrator session takes only its own viewers: the page's ?token= (from the
  // session's jitUrl) goes on to the WHEP endpoint.
  const pageToken = new URLSearchParams(location.search).get('token');
  const defaultWhep = pageToken ? `/whep?token=${encodeURIComponent(pageToken)}` : '/whep';

  /**
   * Connects to the JIT: resolves once the control channel is open and the video track
   * has arrived. Replaces any previous connection. `options.iceServers` (a session's, from the
   * orchestrator) and `options.iceTransportPolicy` ('relay': through TURN only) go to the peer.
   */
  async function connect(whepUrl = defaultWhep, options = {}) {
    if (pc) await disconnect();
    const seq = ++connectSeq;
    const timeoutMs = options.timeoutMs || CONNECT_TIMEOUT_MS;
    showError('');
    setConn('connecting');

    const peer = new RTCPeerConnection({
      iceServers: options.iceServers || [],
      iceTransportPolicy: options.iceTransportPolicy || 'all',
    });
    pc = peer;
    const channel = peer.createDataChannel('control');
    channel.binaryType = 'arraybuffer';
    dc = channel;
    channel.onmessage = (e) => onMessage(e.data);

    const stream = new MediaStream();
    let videoArrived;
    const gotVideo = new Promise((resolve) => (videoArrived = resolve));
    const channelOpen = new Promise((resolve, reject) => {
      channel.onopen = () => resolve();
      channel.onclose = () => {
        reject(new Error('control channel closed'));
        if (dc === channel) setConn('closed');
      };
    });
    const failed = new Promise((_, reject) => {
      peer.addEventListener('connectionstatechange', () => {
        if (pc !== peer) return;
        if (peer.connectionState === 'failed') {
          setConn('failed', 'connection failed');
          reject(new Error('peer connection failed'));
        } else if (peer.connectionState === 'disconnected') {
          setConn('disconnected');
        } else if (peer.connectionState === 'connected' && dc && dc.readyState === 'open') {
          setConn('connected');
        }
      });
    });
    failed.catch(() => {});
    channelOpen.catch(() => {});

    peer.ontrack = (e) => {
      const track = e.track;
      stream.addTrack(track);
      if (track.kind === 'video') {
        videoTrack = track;
        video.srcObject = stream;
        video.play().catch(() => {});
        videoArrived();
      } else if (track.kind === 'audio') {
        audioTrack = track;
        audioSink.srcObject = new MediaStream([track]);
        audioSink.play().catch(() => {});
      }
    };

    peer.addTransceiver('video', { direction: 'recvonly' });
    peer.addTransceiver('audio', { direction: 'recvonly' });

    try {
      const offer = await peer.createOffer();
      await peer.setLocalDescription({ type: 'offer', sdp: preferStereoOpus(offer.sdp) });
      await iceGatheringDone(peer, ICE_GATHERING_TIMEOUT_MS);

      const endpoint = new URL(whepUrl, location.href);
      const res = await fetch(endpoint.href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp' },
        body: peer.localDescription.sdp,
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`WHEP POST ${res.status}: ${body.slice(0, 300)}`);
      const loc = res.headers.get('Location');
      if (seq !== connectSeq) throw new Error('connect superseded');
      resourceUrl = loc ? new URL(loc, endpoint).href : null;
      await peer.setRemoteDescription({ type: 'answer', sdp: body });

      await withTimeout(Promise.race([Promise.all([channelOpen, gotVideo]), failed]), timeoutMs, 'connect');
      if (seq !== connectSeq) throw new Error('connect superseded');
      setConn('connected');
      renderStatus();
    } catch (err) {
      if (seq === connectSeq) {
        await disconnect();
        setConn('failed', err.message);
        showError(err.message);
      }
      throw err;
    }
  }

  /** Ends the viewer: DELETE on the WHEP resource, closes the peer connection. */
  async function disconnect() {
    const peer = pc;
    const url = resourceUrl;
    pc = null;
    dc = null;
    resourceUrl = null;
    videoTrack = null;
    audioTrack = null;
    teardownAudio();
    if (peer) {
      try {
        peer.close();
      } catch (e) {
        /* already closed */
      }
    }
    video.srcObject = null;
    audioSink.srcObject = null;
    if (url) {
      try {
        await fetch(url, { method: 'DELETE' });
      } catch (e) {
        /* server gone */
      }
    }
    setConn('disconnected');
  }

  window.addEventListener('pagehide', () => {
    if (resourceUrl) {
      try {
        fetch(resourceUrl, { method: 'DELETE', keepalive: true });
      } catch (e) {
        /* ignore */
      }
    }
  });

  // ---------------------------------------------------------------------------------------
  // Frame index (top band of 16 columns, bit 0 left-most, white = 1)

  const canvas = document.createElement('canvas');
  let ctx2d = null;

  function context2d() {
    if (!ctx2d) ctx2d = canvas.getContext('2d', { willReadFrequently: true });
    return ctx2d;
  }

  /** Lumas (0..255) at the 16 column centres of the band, or null if no frame is shown. */
  function readBandLumas() {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h || video.readyState < 2) return null;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = context2d();
    ctx.drawImage(video, 0, 0, w, h);
    const y = Math.max(1, Math.floor(h / 16));
    const rows = ctx.getImageData(0, y - 1, w, 3).data;
    const lumas = [];
    for (let i = 0; i < FRAME_INDEX_BITS; i++) {
      const x = Math.min(w - 2, Math.max(1, Math.floor(((i + 0.5) * w) / FRAME_INDEX_BITS)));
      let sum = 0;
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const p = (dy * w + x + dx) * 4;
          sum += 0.299 * rows[p] + 0.587 * rows[p + 1] + 0.114 * rows[p + 2];
        }
      }
      lumas.push(sum / 9);
    }
    return lumas;
  }

  function decodeLumas(lumas) {
    let n = 0;
    for (let i = 0; i < FRAME_INDEX_BITS; i++) if (lumas[i] > 128) n |= 1 << i;
    return n;
  }

  /** Index encoded in the frame currently shown, or -1 if there is no frame. */
  function readFrameIndex() {
    const lumas = readBandLumas();
    return lumas ? decodeLumas(lumas) : -1;
  }

  function onNextFrame(cb) {
    if (typeof video.requestVideoFrameCallback === 'function') {
      video.requestVideoFrameCallback((now, meta) => cb(now, meta));
    } else {
      requestAnimationFrame((now) => cb(now, null));
    }
  }

  /**
   * Resolves with the milliseconds from `since` (default: now) until the frame carrying index n
   * was presented (its requestVideoFrameCallback presentationTime; the time of the check for a
   * frame already up), so the time spent reading the pixels back is not counted; rejects after
   * timeoutMs with the last index seen. Checks on each presented frame (and every 16 ms, for a
   * still frame that is already up).
   */
  function waitForFrameIndex(n, timeoutMs = 5000, since = performance.now()) {
    const start = since;
    return new Promise((resolve, reject) => {
      let last = -1;
      let done = false;
      const finish = () => {
        done = true;
        clearInterval(poll);
        clearTimeout(timer);
      };
      const check = (presentedAt) => {
        if (done) return true;
        const at = presentedAt ?? performance.now();
        last = readFrameIndex();
        if (last === n) {
          finish();
          resolve(at - start);
          return true;
        }
        return false;
      };
      const onFrame = (now, meta) => {
        if (!check(meta ? meta.presentationTime : undefined)) onNextFrame(onFrame);
      };
      const poll = setInterval(() => check(), 16);
      const timer = setTimeout(() => {
        if (done) return;
        finish();
        const err = new Error(`timeout after ${timeoutMs} ms waiting for frame index ${n}; last index seen ${last}`);
        err.lastIndex = last;
        reject(err);
      }, timeoutMs);
      if (!check()) onNextFrame(onFrame);
    });
  }

  // Optional log of every presented frame's index, for playback-continuity checks.
  let frameLog = null;
  function startFrameLog() {
    const log = [];
    frameLog = log;
    const onFrame = (now, meta) => {
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
  function stopFrameLog() {
    const log = frameLog || [];
    frameLog = null;
    return log;
  }

  function videoSize() {
    return { width: video.videoWidth, height: video.videoHeight };
  }

  // ---------------------------------------------------------------------------------------
  // Audio levels

  let audio = null; // { ctx, track, source, splitter, left, right, sink }

  function teardownAudio() {
    if (!audio) return;
    try {
      audio.source.disconnect();
      audio.splitter.disconnect();
      audio.left.disconnect();
      audio.right.disconnect();
    } catch (e) {
      /* ignore */
    }
    audio.track = null;
  }

  function buildAudioGraph(track) {
    const ctx = audio ? audio.ctx : new AudioContext();
    teardownAudio();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const splitter = ctx.createChannelSplitter(2);
    const mk = () => {
      const a = ctx.createAnalyser();
      a.fftSize = 8192;
      a.smoothingTimeConstant = 0;
      return a;
    };
    const left = mk();
    const right = mk();
    const sink = ctx.createGain(); // keeps the graph pulled, silently
    sink.gain.value = 0;
    source.connect(splitter);
    splitter.connect(left, 0);
    splitter.connect(right, 1);
    left.connect(sink);
    right.connect(sink);
    sink.connect(ctx.destination);
    audio = { ctx, track, source, splitter, left, right, sink };
  }

  function dominant(analyser, sampleRate) {
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
    const a = bins[best - 1];
    const b = bins[best];
    const c = bins[best + 1];
    const denom = a - 2 * b + c;
    const delta = Number.isFinite(denom) && denom !== 0 ? (0.5 * (a - c)) / denom : 0;
    const freq = (best + Math.max(-0.5, Math.min(0.5, delta))) * binHz;
    return { freq: Math.round(freq * 10) / 10, db: Math.round(Math.max(-200, bestDb) * 10) / 10 };
  }

  /**
   * Dominant frequency and its level (dBFS) on the left and right channel of the received
   * audio. The first call sets up the WebAudio graph and waits `settleMs` for the analysers
   * to fill (8192 samples ≈ 170 ms at 48 kHz).
   */
  async function audioLevels(settleMs = 400) {
    if (!audioTrack) throw new Error('no audio track');
    let fresh = false;
    if (!audio || audio.track !== audioTrack) {
      buildAudioGraph(audioTrack);
      fresh = true;
    }
    if (audio.ctx.state !== 'running') await audio.ctx.resume().catch(() => {});
    if (fresh) await new Promise((r) => setTimeout(r, settleMs));
    const sr = audio.ctx.sampleRate;
    return { left: dominant(audio.left, sr), right: dominant(audio.right, sr), sampleRate: sr, contextState: audio.ctx.state };
  }

  // ---------------------------------------------------------------------------------------
  // Stats

  /** Counters of the inbound video, 0 before any arrives. */
  const VIDEO_COUNTERS = [
    'framesDecoded', 'framesReceived', 'framesDropped', 'keyFramesDecoded', 'frameWidth', 'frameHeight',
    'framesPerSecond', 'packetsLost', 'nackCount', 'pliCount', 'jitterBufferDelay', 'jitterBufferEmittedCount',
    'totalDecodeTime',
  ];

  async function stats() {
    if (!pc) return null;
    const report = await pc.getStats();
    let v = null;
    let a = null;
    const codecs = new Map();
    report.forEach((s) => {
      if (s.type === 'codec') codecs.set(s.id, s);
      if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'video') v = s;
      if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'audio') a = s;
    });
    const codecOf = (s) => (s && s.codecId && codecs.get(s.codecId)) || null;
    const vc = codecOf(v);
    const ac = codecOf(a);
    return {
      ...Object.fromEntries(VIDEO_COUNTERS.map((name) => [name, v ? v[name] || 0 : 0])),
      codec: vc ? vc.mimeType : null,
      audioCodec: ac ? ac.mimeType : null,
      audioChannels: ac ? ac.channels || null : null,
      audioPacketsReceived: a ? a.packetsReceived || 0 : 0,
      connectionState: pc.connectionState,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Controls

  function trySend(msg) {
    try {
      send(msg);
    } catch (e) {
      showError(e.message);
    }
  }

  function seekFromInput() {
    const n = Number(ui.frameInput.value);
    if (Number.isInteger(n) && n >= 0) trySend({ type: 'seek', frame: n });
    else showError('frame must be a whole number ≥ 0');
  }

  ui.play.addEventListener('click', () => trySend({ type: 'play' }));
  ui.pause.addEventListener('click', () => trySend({ type: 'pause' }));
  ui.stepBack.addEventListener('click', () => trySend({ type: 'step', frames: -1 }));
  ui.stepFwd.addEventListener('click', () => trySend({ type: 'step', frames: 1 }));
  ui.seek.addEventListener('click', seekFromInput);
  ui.frameInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') seekFromInput();
  });
  ui.audioOffset.addEventListener('change', () => {
    const c = Number(ui.audioOffset.value);
    if (Number.isInteger(c) && c >= 0) trySend({ type: 'audio', offset: c });
    else showError('audio offset must be a whole number ≥ 0');
  });
  ui.sound.addEventListener('click', () => {
    video.muted = !video.muted;
    if (!video.muted) video.play().catch(() => {});
    ui.sound.textContent = video.muted ? 'Sound off' : 'Sound on';
  });
  ui.connect.addEventListener('click', () => {
    if (pc) disconnect();
    else connect().catch(() => {});
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (!dc || dc.readyState !== 'open') return;
    if (e.key === ' ') {
      e.preventDefault();
      trySend({ type: view.state === 'playing' ? 'pause' : 'play' });
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      trySend({ type: 'step', frames: -1 });
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      trySend({ type: 'step', frames: 1 });
    }
  });
  video.addEventListener('resize', renderStatus);

  // ---------------------------------------------------------------------------------------
  // Public interface

  window.jit = {
    connect,
    disconnect,
    send,
    sendAndWait,
    messages,
    messageTimes,
    waitForMessage,
    readFrameIndex,
    readBandLumas,
    waitForFrameIndex,
    startFrameLog,
    stopFrameLog,
    videoSize,
    audioLevels,
    stats,
    get pc() {
      return pc;
    },
    get state() {
      return { conn: view.conn, state: view.state, frame: view.frame };
    },
    video,
  };

  setConn('idle');
  renderStatus();
  if (new URLSearchParams(location.search).get('autoconnect') !== '0') {
    connect().catch((e) => console.warn('jit: connect failed:', e.message));
  }
})();
