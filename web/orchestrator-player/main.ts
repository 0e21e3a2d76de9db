/**
 * The orchestrator's page (served at its `/`): choose inputs, start a session over the REST API,
 * watch its stream in the player, restart or end it.
 */
import { Player } from '../player/src/player';
import { endSession, getSession, listMedia, restartSession, startSession, useApiToken, type Session, type SessionInput } from './api';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  form: $<HTMLFormElement>('start-form'),
  videoUrl: $<HTMLInputElement>('video-url'),
  mediaPick: $<HTMLSelectElement>('media-pick'),
  mediaFiles: $<HTMLDataListElement>('media-files'),
  mediaRoots: $('media-roots'),
  apiToken: $<HTMLInputElement>('api-token'),
  audioInputs: $('audio-inputs'),
  audioRow: $<HTMLTemplateElement>('audio-row'),
  addAudio: $<HTMLButtonElement>('add-audio'),
  start: $<HTMLButtonElement>('start'),
  sessionInfo: $('session-info'),
  restart: $<HTMLButtonElement>('restart'),
  end: $<HTMLButtonElement>('end'),
};

const player = new Player($('player-mount'));
player.addControls($('session-controls'));

/** The session as the API last answered it, and whether a session action is under way. */
let session: Session | null = null;
let busy = false;

function renderSession(): void {
  const s = session;
  ui.sessionInfo.textContent = s
    ? `${s.sessionId} · ${s.state}${s.restarts ? ` · restarts ${s.restarts}` : ''}${s.endReason ? ` · ${s.endReason}` : ''}`
    : 'no session';
  const running = Boolean(s && s.state !== 'ended' && s.state !== 'failed');
  ui.start.disabled = busy || running;
  ui.restart.disabled = busy || !running;
  ui.end.disabled = busy || !running;
}

// ---------------------------------------------------------------------------------------------
// The stream

const FOLLOW_INTERVAL_MS = 1000;
const FOLLOW_LIMIT = 60;

/** The stream went away by itself: follow the session until it has ended (or a minute), saying why. */
async function onStreamLost(reason: string): Promise<void> {
  const id = session?.sessionId;
  for (let i = 0; id && i < FOLLOW_LIMIT && !player.connected && session?.sessionId === id; i++) {
    try {
      session = await getSession(id);
    } catch (error) {
      player.showError(`${reason}; ${(error as Error).message}`);
      return;
    }
    renderSession();
    if (session.lastError) player.showError(`${reason}: ${session.lastError}`);
    if (session.state === 'ended' || session.state === 'failed') return;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
  }
}

async function watch(s: Session): Promise<void> {
  if (!s.jitUrl) throw new Error(`the session is ${s.state}, with no stream to watch`);
  await player.watch(s.jitUrl, { iceServers: s.iceServers, onLost: (reason) => void onStreamLost(reason) });
}

// ---------------------------------------------------------------------------------------------
// Session actions

/** Runs one session action at a time, with the buttons disabled meanwhile and its error shown after `failure`. */
async function act(failure: string, action: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  player.showError('');
  renderSession();
  try {
    await action();
  } catch (error) {
    player.showError(`${failure}: ${(error as Error).message}`);
  } finally {
    busy = false;
    renderSession();
  }
}

function inputsOfForm(): SessionInput[] {
  const inputs: SessionInput[] = [{ url: ui.videoUrl.value.trim() }];
  for (const row of ui.audioInputs.querySelectorAll('.audio-row')) {
    const url = row.querySelector<HTMLInputElement>('.audio-url')!.value.trim();
    const channels = row.querySelector<HTMLInputElement>('.audio-channels')!.value.trim();
    inputs.push(channels ? { url, channelCount: Number(channels) } : { url });
  }
  return inputs;
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void act('Could not start the session', async () => {
    ui.sessionInfo.textContent = 'starting…';
    try {
      session = await startSession({ inputs: inputsOfForm() });
    } finally {
      renderSession();
    }
    await watch(session);
  });
});

ui.restart.addEventListener('click', () =>
  act('Could not restart the session', async () => {
    const { frame } = player.view;
    const id = session!.sessionId;
    await player.stop();
    ui.sessionInfo.textContent = `${id} · restarting…`;
    session = await restartSession(id);
    renderSession();
    await watch(session);
    // A new stream starts at frame 0: go back to where the viewer was.
    if (frame) player.send({ type: 'seek', frame });
  }),
);

ui.end.addEventListener('click', () =>
  act('Could not end the session', async () => {
    await player.stop();
    session = await endSession(session!.sessionId);
    renderSession();
  }),
);

ui.addAudio.addEventListener('click', () => {
  const row = ui.audioRow.content.firstElementChild!.cloneNode(true) as HTMLElement;
  row.querySelector('.remove-audio')!.addEventListener('click', () => row.remove());
  ui.audioInputs.append(row);
  row.querySelector<HTMLInputElement>('.audio-url')!.focus();
});

ui.mediaPick.addEventListener('change', () => {
  if (ui.mediaPick.value) ui.videoUrl.value = ui.mediaPick.value;
});

// ---------------------------------------------------------------------------------------------
// Media the orchestrator offers

async function loadMedia(): Promise<void> {
  try {
    const { roots, files, truncated } = await listMedia();
    ui.mediaRoots.textContent = roots.length ? `Inputs must be under ${roots.join(', ')}.` : '';
    const options = () => files.map((f) => new Option(f.path, f.url));
    const summary = files.length
      ? `${files.length}${truncated ? '+' : ''} files`
      : roots.length
        ? 'no media files found'
        : 'no media roots configured';
    ui.mediaPick.replaceChildren(new Option(summary, ''), ...options());
    ui.mediaFiles.replaceChildren(...options());
    ui.mediaPick.disabled = !files.length;
  } catch (error) {
    player.showError(`Could not list the media files: ${(error as Error).message}`);
  }
}

ui.apiToken.value = sessionStorage.getItem('jit-api-token') ?? '';
useApiToken(ui.apiToken.value);
ui.apiToken.addEventListener('change', () => {
  sessionStorage.setItem('jit-api-token', ui.apiToken.value);
  useApiToken(ui.apiToken.value);
  player.showError('');
  void loadMedia();
});

renderSession();
void loadMedia();
