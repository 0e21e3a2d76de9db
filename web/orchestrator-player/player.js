/**
 * The orchestrator's player page: choose inputs, start a session over the REST API, watch its
 * stream over WHEP and drive it over the `control` data channel. Plain ES modules, no build step.
 */
import { endSession, getSession, listMedia, restartSession, startSession, useApiToken } from './api.js';
import { shortcutOf } from './keyboard.js';
import { frameToTimecode, parsePosition } from './timecode.js';
import { connectWhep } from './whep.js';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('start-form'),
  videoUrl: $('video-url'),
  mediaPick: $('media-pick'),
  mediaFiles: $('media-files'),
  mediaRoots: $('media-roots'),
  apiToken: $('api-token'),
  audioInputs: $('audio-inputs'),
  audioRow: $('audio-row'),
  addAudio: $('add-audio'),
  start: $('start'),
  sessionInfo: $('session-info'),
  video: $('video'),
  stepBack: $('step-back'),
  playPause: $('play-pause'),
  stepFwd: $('step-fwd'),
  timecode: $('timecode'),
  frame: $('frame'),
  frameCount: $('frame-count'),
  state: $('state'),
  goto: $('goto'),
  gotoBtn: $('goto-btn'),
  audioPair: $('audio-pair'),
  mute: $('mute'),
  restart: $('restart'),
  end: $('end'),
  error: $('error'),
};

/** What the page knows: the session (as the API answered it), its stream, and the transport as the JIT reported it. */
const view = {
  session: null,
  stream: null,
  busy: false,
  state: null,
  frame: null,
  frameCount: null,
  rate: null,
  audioOffset: null,
  audioChannels: 0,
};

// ---------------------------------------------------------------------------------------------
// Rendering

function showError(error) {
  ui.error.textContent = error ? (error instanceof Error ? error.message : String(error)) : '';
}

function renderSession() {
  const s = view.session;
  ui.sessionInfo.textContent = s
    ? `${s.sessionId} · ${s.state}${s.restarts ? ` · restarts ${s.restarts}` : ''}${s.endReason ? ` · ${s.endReason}` : ''}`
    : 'no session';
  const running = Boolean(s && s.state !== 'ended' && s.state !== 'failed');
  ui.start.disabled = view.busy || running;
  ui.restart.disabled = view.busy || !running;
  ui.end.disabled = view.busy || !running;
}

function renderTransport() {
  const connected = Boolean(view.stream);
  for (const control of [ui.stepBack, ui.playPause, ui.stepFwd, ui.goto, ui.gotoBtn, ui.mute]) control.disabled = !connected;
  ui.audioPair.disabled = !connected || view.audioChannels === 0;
  ui.playPause.textContent = view.state === 'playing' ? 'Pause' : 'Play';
  ui.state.textContent = connected ? (view.state ?? 'connecting') : 'not connected';
  const known = connected && view.frame != null && view.rate;
  ui.frame.textContent = known ? String(view.frame) : '–';
  ui.timecode.textContent = known ? frameToTimecode(view.frame, view.rate) : '--:--:--:--';
  ui.frameCount.textContent = connected && view.frameCount != null ? String(view.frameCount) : '–';
  ui.mute.textContent = ui.video.muted ? 'Unmute' : 'Mute';
}

/** Pairs C, C+1 of the audio row, named as channels counted from 1; the last channel plays alone. */
function renderAudioPairs() {
  const count = view.audioChannels;
  const options = [];
  for (let c = 0; c < count; c++) options.push(new Option(c + 1 < count ? `${c + 1}–${c + 2}` : `${c + 1} (alone)`, String(c)));
  if (!options.length) options.push(new Option('no audio', ''));
  ui.audioPair.replaceChildren(...options);
  if (view.audioOffset != null) ui.audioPair.value = String(view.audioOffset);
}

// ---------------------------------------------------------------------------------------------
// The stream

function onMessage(message) {
  if (message.type === 'state') {
    const channelsChanged = message.audioChannels !== view.audioChannels;
    Object.assign(view, {
      state: message.state,
      frame: message.frame,
      frameCount: message.frameCount,
      rate: message.frameRate,
      audioOffset: message.audioOffset,
      audioChannels: message.audioChannels ?? 0,
    });
    if (channelsChanged) renderAudioPairs();
    else if (view.audioOffset != null) ui.audioPair.value = String(view.audioOffset);
  } else if (message.type === 'seeked' || message.type === 'frame') {
    view.frame = message.frame;
  } else if (message.type === 'error') {
    showError(`stream: ${message.message}`);
  }
  renderTransport();
}

const FOLLOW_INTERVAL_MS = 1000;
const FOLLOW_LIMIT = 60;

/** The stream went away by itself: say why, and follow the session until it has ended (or a minute). */
async function onStreamLost(reason) {
  view.stream = null;
  ui.video.srcObject = null;
  renderTransport();
  showError(reason);
  const id = view.session?.sessionId;
  for (let i = 0; id && i < FOLLOW_LIMIT && !view.stream && view.session?.sessionId === id; i++) {
    try {
      view.session = await getSession(id);
    } catch (error) {
      showError(`${reason}; ${error.message}`);
      return;
    }
    renderSession();
    if (view.session.lastError) showError(`${reason}: ${view.session.lastError}`);
    if (view.session.state === 'ended' || view.session.state === 'failed') return;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
  }
}

async function watch(session) {
  Object.assign(view, { state: null, frame: null, frameCount: null, rate: null, audioOffset: null, audioChannels: 0 });
  renderAudioPairs();
  const stream = await connectWhep(session.jitUrl, {
    iceServers: session.iceServers,
    onMessage,
    onClosed: (reason) => {
      if (view.stream === stream) void onStreamLost(reason);
    },
  });
  view.stream = stream;
  ui.video.srcObject = stream.stream;
  // Sound on where the browser allows it (the click that started the session usually does).
  ui.video.muted = false;
  await ui.video.play().catch(() => {
    ui.video.muted = true;
    return ui.video.play().catch(() => {});
  });
  renderTransport();
}

async function stopWatching() {
  const stream = view.stream;
  view.stream = null;
  ui.video.srcObject = null;
  renderTransport();
  if (stream) await stream.close();
}

function send(message) {
  try {
    if (!view.stream) throw new Error('not connected to a stream');
    view.stream.send(message);
  } catch (error) {
    showError(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Session actions

/** Runs one session action at a time, with the buttons disabled meanwhile and its error shown after `failure`. */
async function act(failure, action) {
  if (view.busy) return;
  view.busy = true;
  showError('');
  renderSession();
  try {
    await action();
  } catch (error) {
    showError(`${failure}: ${error.message}`);
  } finally {
    view.busy = false;
    renderSession();
  }
}

function inputsOfForm() {
  const inputs = [{ url: ui.videoUrl.value.trim() }];
  for (const row of ui.audioInputs.querySelectorAll('.audio-row')) {
    const url = row.querySelector('.audio-url').value.trim();
    const channels = row.querySelector('.audio-channels').value.trim();
    const input = { url };
    if (channels) input.channelCount = Number(channels);
    inputs.push(input);
  }
  return inputs;
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void act('Could not start the session', async () => {
    ui.sessionInfo.textContent = 'starting…';
    try {
      view.session = await startSession({ inputs: inputsOfForm() });
    } catch (error) {
      renderSession();
      throw error;
    }
    renderSession();
    await watch(view.session);
  });
});

ui.restart.addEventListener('click', () =>
  act('Could not restart the session', async () => {
    const frame = view.frame;
    await stopWatching();
    ui.sessionInfo.textContent = `${view.session.sessionId} · restarting…`;
    view.session = await restartSession(view.session.sessionId);
    renderSession();
    await watch(view.session);
    // A new stream starts at frame 0: go back to where the viewer was.
    if (frame) send({ type: 'seek', frame });
  }),
);

ui.end.addEventListener('click', () =>
  act('Could not end the session', async () => {
    await stopWatching();
    view.session = await endSession(view.session.sessionId);
    renderSession();
  }),
);

ui.addAudio.addEventListener('click', () => {
  const row = ui.audioRow.content.firstElementChild.cloneNode(true);
  row.querySelector('.remove-audio').addEventListener('click', () => row.remove());
  ui.audioInputs.append(row);
  row.querySelector('.audio-url').focus();
});

ui.mediaPick.addEventListener('change', () => {
  if (ui.mediaPick.value) ui.videoUrl.value = ui.mediaPick.value;
});

// ---------------------------------------------------------------------------------------------
// Transport

function lastFrame() {
  return view.frameCount ? view.frameCount - 1 : 0;
}

const transport = {
  toggle: () => send({ type: view.state === 'playing' ? 'pause' : 'play' }),
  play: () => send({ type: 'play' }),
  pause: () => send({ type: 'pause' }),
  step: ({ frames }) => send({ type: 'step', frames }),
  first: () => send({ type: 'seek', frame: 0 }),
  last: () => send({ type: 'seek', frame: lastFrame() }),
};

function goTo() {
  try {
    if (!view.rate) throw new Error('the stream has not said its frame rate yet');
    const frame = parsePosition(ui.goto.value, view.rate);
    if (frame > lastFrame()) throw new Error(`frame ${frame} is past the last frame, ${lastFrame()} (${frameToTimecode(lastFrame(), view.rate)})`);
    showError('');
    send({ type: 'seek', frame });
  } catch (error) {
    showError(error);
  }
}

ui.playPause.addEventListener('click', transport.toggle);
ui.stepBack.addEventListener('click', () => transport.step({ frames: -1 }));
ui.stepFwd.addEventListener('click', () => transport.step({ frames: 1 }));
ui.gotoBtn.addEventListener('click', goTo);
ui.goto.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') goTo();
});
ui.audioPair.addEventListener('change', () => {
  if (ui.audioPair.value !== '') send({ type: 'audio', offset: Number(ui.audioPair.value) });
});
ui.mute.addEventListener('click', () => {
  ui.video.muted = !ui.video.muted;
  if (!ui.video.muted) ui.video.play().catch(() => {});
  renderTransport();
});

document.addEventListener('keydown', (event) => {
  const shortcut = view.stream ? shortcutOf(event) : null;
  if (!shortcut) return;
  event.preventDefault(); // no page scroll, no click on a focused button
  transport[shortcut.action](shortcut);
});
// A focused button is clicked on space's keyup: space is play/pause wherever the focus is.
document.addEventListener('keyup', (event) => {
  if (view.stream && shortcutOf(event)?.action === 'toggle') event.preventDefault();
});

// ---------------------------------------------------------------------------------------------
// Media the orchestrator offers

async function loadMedia() {
  try {
    const { roots, files, truncated } = await listMedia();
    ui.mediaRoots.textContent = roots.length ? `Inputs must be under ${roots.join(', ')}.` : '';
    const options = () => files.map((f) => new Option(f.path, f.url));
    const summary = files.length ? `${files.length}${truncated ? '+' : ''} files` : roots.length ? 'no media files found' : 'no media roots configured';
    ui.mediaPick.replaceChildren(new Option(summary, ''), ...options());
    ui.mediaFiles.replaceChildren(...options());
    ui.mediaPick.disabled = !files.length;
  } catch (error) {
    showError(`Could not list the media files: ${error.message}`);
  }
}

ui.apiToken.value = sessionStorage.getItem('jit-api-token') ?? '';
useApiToken(ui.apiToken.value);
ui.apiToken.addEventListener('change', () => {
  sessionStorage.setItem('jit-api-token', ui.apiToken.value);
  useApiToken(ui.apiToken.value);
  showError('');
  void loadMedia();
});

window.addEventListener('pagehide', () => void view.stream?.close());

renderSession();
renderTransport();
void loadMedia();
