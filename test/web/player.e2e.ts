/**
 * The orchestrator's player page in headless Chromium, driven by clicking and typing, against a
 * real orchestrator (Temporal dev server, agents and JITs as child processes). What is checked is
 * what a viewer sees: the frame index in the video's pixels, the tones heard on each side, the
 * page's own readouts and error line. Screenshots go to test-artifacts/web/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip, makeToneWav, repoRoot } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';
import { KEY_BINDINGS } from '../../web/player/src/keys';
import { heardTones, screenshot, shownFrame, waitForShown, waitForShownFrame } from './player-page';

jest.setTimeout(180_000);

const FRAMES = 250; // 10 s at 25 fps

let temporal: TemporalServer;
let browser: Browser;
let orch: RunningOrchestrator;
let page: Page;
/** JIT_MEDIA_ROOTS: a folder of its own holding the test media, and things the page must not offer. */
const mediaRoot = mkdtempSync(path.join(repoRoot, '.cache', 'web-media-'));
const rootName = path.basename(mediaRoot);
const clip = path.join(mediaRoot, 'clips', 'indexed.mov');
const stems = path.join(mediaRoot, 'audio', 'stems.wav'); // 3 channels: 440, 660, 880 Hz
const mix = path.join(mediaRoot, 'audio', 'mix.wav'); // 2 channels: 1100, 1320 Hz
const pageErrors: string[] = [];
let made: string[]; // the sample media where test/support made it, outside the root

/** An orchestrator on the test's Temporal server; its agents and media on ports of their own. */
function orchestrator(name: string, agentPort: number, mediaPort: number, env: NodeJS.ProcessEnv = {}): Promise<RunningOrchestrator> {
  return startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: `sessions-web-${name}`,
    JIT_INSTANCE_AGENT_RUNTIME: 'process',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_PORT_MIN: String(agentPort),
    JIT_INSTANCE_AGENT_PORT_MAX: String(agentPort + 4),
    JIT_CONTAINER_PORT_MIN: String(mediaPort),
    JIT_CONTAINER_PORT_MAX: String(mediaPort + 499),
    JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1',
    JIT_MEDIA_ROOTS: mediaRoot,
    ...env,
  });
}

beforeAll(async () => {
  [temporal, browser, ...made] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: FRAMES }),
    makeToneWav({ channels: 3, freqs: [440, 660, 880] }),
    makeToneWav({ channels: 2, freqs: [1100, 1320] }),
  ]);
  [clip, stems, mix].forEach((file, i) => {
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(made[i], file);
  });
  writeFileSync(path.join(mediaRoot, 'clips', 'notes.txt'), 'not media');
  writeFileSync(path.join(mediaRoot, 'clips', '.hidden.mov'), '');
  symlinkSync(made[0], path.join(mediaRoot, 'clips', 'linked.mov'));
  orch = await orchestrator('player', 18700, 31000);
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${orch.url}/`);
});
afterAll(async () => {
  await browser?.close();
  await orch?.stop();
  await temporal?.stop();
  rmSync(mediaRoot, { recursive: true, force: true });
});

const text = (selector: string, on = page) => on.locator(selector).innerText();

/** Waits until an element's text matches. */
async function expectText(selector: string, expected: string | RegExp, timeoutMs = 10_000, on = page): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await text(selector, on);
  const matches = () => (typeof expected === 'string' ? actual === expected : expected.test(actual));
  while (!matches() && Date.now() < deadline) {
    await on.waitForTimeout(50);
    actual = await text(selector, on);
  }
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

/** The timecode of a frame at the clip's 25 fps. */
const timecodeOf = (frame: number) =>
  [Math.floor(frame / 25 / 3600), Math.floor(frame / 25 / 60) % 60, Math.floor(frame / 25) % 60, frame % 25]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');

/** Waits until the frame shown, the frame readout and the timecode all say `frame`. */
async function expectFrame(frame: number, timecode: string): Promise<void> {
  await waitForShownFrame(page, frame);
  await expectText('#frame', String(frame));
  expect(await text('#timecode')).toBe(timecode);
}

/** Listens (half a second at a time, up to 10 times: the audio may still be on its way) until these tones are heard left and right. */
async function expectTones(left: number, right: number): Promise<void> {
  const heard = (f: number, target: number) => Math.abs(f - target) < 5;
  let tones = await heardTones(page);
  for (let i = 0; i < 10 && !(heard(tones.left, left) && heard(tones.right, right)); i++) tones = await heardTones(page);
  expect(tones.left).toBeCloseTo(left, -1);
  expect(tones.right).toBeCloseTo(right, -1);
}

async function press(key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

it('is served at / beside the API, its docs and its health', async () => {
  expect(await page.title()).toMatch(/jit/);
  expect((await http('GET', `${orch.url}/health`)).status).toBe(200);
  expect((await http('GET', `${orch.url}/docs`)).status).toBe(200);
  expect(Object.keys((await http('GET', `${orch.url}/openapi.json`)).body.paths)).toContain('/media');
  expect((await http('GET', `${orch.url}/sessions`)).body).toEqual([]);
  expect(await page.locator('#play-pause').isDisabled()).toBe(true);
});

it('offers the media files under JIT_MEDIA_ROOTS to pick, and only those', async () => {
  await expectText('#media-roots', `Inputs must be under ${mediaRoot}.`);
  expect(await page.locator('#media-pick option').allInnerTexts()).toEqual([
    '3 files',
    `${rootName}/audio/mix.wav`,
    `${rootName}/audio/stems.wav`,
    `${rootName}/clips/indexed.mov`,
  ]);
  expect(await text('#error')).toBe('');
});

it('shows why a session could not start: a missing file', async () => {
  const missing = path.join(path.dirname(clip), 'no-such-clip.mov');
  await page.fill('#video-url', missing);
  await page.click('#start');
  await expectText('#error', /^Could not start the session: POST \/session → 422: .*no readable file/, 60_000);
  expect(await text('#error')).toContain(missing);
  await screenshot(page, '01-missing-file');
  expect(await page.locator('#start').isEnabled()).toBe(true);
  expect(await page.locator('#play-pause').isDisabled()).toBe(true);
});

it('starts a session on a picked clip and typed audio files with their channel counts, showing frame 0', async () => {
  await page.selectOption('#media-pick', { label: `${rootName}/clips/indexed.mov` });
  expect(await page.inputValue('#video-url')).toBe(clip);
  await page.click('#add-audio');
  await page.locator('.audio-url').nth(0).fill(stems);
  await page.locator('.audio-channels').nth(0).fill('3');
  await page.click('#add-audio');
  await page.locator('.audio-url').nth(1).fill(mix);
  await page.click('#start');
  await expectText('#state', 'paused', 60_000);
  await expectFrame(0, '00:00:00:00');
  expect(await text('#frame-count')).toBe(String(FRAMES));
  expect(await text('#error')).toBe('');
  expect(await text('#session-info')).toMatch(/^session-\S+ · running$/);
  const [session] = (await http('GET', `${orch.url}/sessions`)).body;
  expect(session.request.inputs).toEqual([{ url: clip }, { url: stems, channelCount: 3 }, { url: mix }]);
  await screenshot(page, '02-started');
});

it('plays and pauses with the button', async () => {
  await page.click('#play-pause');
  await expectText('#state', 'playing');
  expect(await text('#play-pause')).toBe('Pause');
  await waitForShown(page, (f) => f >= 30, 'frame 30 or later', 10_000);
  await page.click('#play-pause');
  await expectText('#state', 'paused');
  await page.waitForTimeout(500);
  const paused = Number(await text('#frame'));
  expect(paused).toBeGreaterThanOrEqual(30);
  await waitForShownFrame(page, paused);
  await page.waitForTimeout(500);
  expect(await shownFrame(page)).toBe(paused);
  expect(await text('#frame')).toBe(String(paused));
  await screenshot(page, '03-paused-after-play');
});

it('seeks to a frame number and to a timecode', async () => {
  await page.fill('#goto', '120');
  await page.press('#goto', 'Enter');
  await expectFrame(120, '00:00:04:20');
  await page.fill('#goto', '00:00:06:05');
  await page.click('#goto-btn');
  await expectFrame(155, '00:00:06:05');
  await page.fill('#goto', '00:00:03:25');
  await page.click('#goto-btn');
  await expectText('#error', /frames go up to 24/);
  await page.fill('#goto', String(FRAMES));
  await page.click('#goto-btn');
  await expectText('#error', `frame ${FRAMES} is past the last frame, ${FRAMES - 1}`);
  expect(await shownFrame(page)).toBe(155);
  await screenshot(page, '04-seek-timecode');
});

it('seeks with a click and a drag on the scrub bar', async () => {
  const bar = (await page.locator('#scrub').boundingBox())!;
  const y = bar.y + bar.height / 2;
  const frameAt = (x: number) => Math.round(((x - bar.x) / bar.width) * (FRAMES - 1));
  await page.mouse.click(bar.x + bar.width / 4, y);
  const clicked = frameAt(bar.x + bar.width / 4);
  await expectFrame(clicked, timecodeOf(clicked));
  await page.mouse.move(bar.x + bar.width / 2, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(bar.x + bar.width * (0.5 + i * 0.03), y);
  await page.mouse.up();
  const dropped = frameAt(bar.x + bar.width * 0.8);
  await expectFrame(dropped, timecodeOf(dropped));
  // Back where the key test starts.
  await page.fill('#goto', '155');
  await page.press('#goto', 'Enter');
  await expectFrame(155, '00:00:06:05');
});

it('steps and jumps with the editor keys', async () => {
  await page.locator('#video').click(); // focus away from the field
  await press('ArrowRight');
  await expectFrame(156, '00:00:06:06');
  await press('Shift+ArrowRight');
  await expectFrame(166, '00:00:06:16');
  await press('ArrowLeft', 2);
  await expectFrame(164, '00:00:06:14');
  await press('Shift+ArrowLeft');
  await expectFrame(154, '00:00:06:04');
  await press('j');
  await expectFrame(153, '00:00:06:03');
  await press('End');
  await expectFrame(FRAMES - 1, '00:00:09:24');
  await press('Home');
  await expectFrame(0, '00:00:00:00');
  await screenshot(page, '05-keys');
  await press('l');
  await expectText('#state', 'playing');
  await press('k');
  await expectText('#state', 'paused');
  // Space toggles even with a button focused (no click on it besides).
  await page.locator('#step-fwd').focus();
  await press(' ');
  await expectText('#state', 'playing');
  await press(' ');
  await expectText('#state', 'paused');
  await page.waitForTimeout(300);
  const frame = Number(await text('#frame'));
  await waitForShownFrame(page, frame);
});

it('lists every key binding on ?, from the table the keys use', async () => {
  await press('?');
  await page.locator('#key-list').waitFor({ state: 'visible' });
  const rows = await page.locator('#key-list tr').allInnerTexts();
  expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual(KEY_BINDINGS.map((b) => `${b.label} ${b.does}`));
  await screenshot(page, '05b-key-list');
  await press('Escape');
  await page.locator('#key-list').waitFor({ state: 'hidden' });
  await press('?');
  await page.locator('#key-list').waitFor({ state: 'visible' });
  await press('?');
  await page.locator('#key-list').waitFor({ state: 'hidden' });
});

it('changes the audio pair heard', async () => {
  expect(await page.locator('#audio-pair option').allInnerTexts()).toEqual(['1–2', '2–3', '3–4', '4–5', '5 (alone)']);
  expect(await page.locator('#audio-pair').inputValue()).toBe('0');
  await page.click('#play-pause');
  await expectText('#state', 'playing');
  await expectTones(440, 660);
  await press('Home'); // still playing, from the start: the clip lasts for the listening below
  await page.selectOption('#audio-pair', { label: '4–5' });
  await expectTones(1100, 1320);
  expect(await page.locator('#audio-pair').inputValue()).toBe('3');
  await page.click('#play-pause');
  await expectText('#state', 'paused');
});

it('restarts the session and comes back to the frame it showed', async () => {
  await page.fill('#goto', '77');
  await page.press('#goto', 'Enter');
  await expectFrame(77, '00:00:03:02');
  const before = (await http('GET', `${orch.url}/sessions`)).body[0];
  await page.click('#restart');
  await expectText('#session-info', /· running · restarts 1$/, 60_000);
  await expectFrame(77, '00:00:03:02');
  expect(await text('#state')).toBe('paused');
  const after = (await http('GET', `${orch.url}/session/${before.sessionId}`)).body;
  expect(after).toMatchObject({ state: 'running', restarts: 1 });
  await screenshot(page, '06-restarted');
});

it('ends the session: the stream is gone and the page can start another', async () => {
  const [session] = (await http('GET', `${orch.url}/sessions`)).body;
  await page.click('#end');
  await expectText('#session-info', /· ended · restarts 1 · killed$/, 30_000);
  expect(await text('#state')).toBe('not connected');
  expect(await page.locator('#play-pause').isDisabled()).toBe(true);
  expect(await page.locator('#end').isDisabled()).toBe(true);
  expect(await page.locator('#start').isEnabled()).toBe(true);
  expect((await http('GET', `${orch.url}/session/${session.sessionId}`)).body.state).toBe('ended');
  expect((await http('GET', `${orch.url}/sessions`)).body).toEqual([]);
  await expect(fetch(session.jitUrl.replace(/\/whep(\?.*)?$/, '/health'))).rejects.toThrow();
  expect(await text('#error')).toBe('');
  await screenshot(page, '07-ended');
});

it('says so when its session is ended elsewhere', async () => {
  await page.click('#start');
  await expectText('#state', 'paused', 60_000);
  await waitForShownFrame(page, 0);
  const [session] = (await http('GET', `${orch.url}/sessions`)).body;
  expect((await http('DELETE', `${orch.url}/session/${session.sessionId}`)).status).toBe(200);
  await expectText('#error', 'the stream closed the connection', 30_000);
  await expectText('#session-info', `${session.sessionId} · ended · killed`);
  expect(await text('#state')).toBe('not connected');
  expect(await page.locator('#start').isEnabled()).toBe(true);
  expect(pageErrors).toEqual([]);
});

describe('with JIT_API_TOKEN', () => {
  const token = 'web-player-test-token-0123456789';
  let guarded: RunningOrchestrator;
  let guardedPage: Page;
  beforeAll(async () => {
    guarded = await orchestrator('token', 18705, 31500, { JIT_API_TOKEN: token });
    guardedPage = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await guardedPage.goto(`${guarded.url}/`);
  });
  afterAll(async () => {
    await guardedPage?.close();
    await guarded?.stop();
  });

  it('asks for the token, then sends it with every call', async () => {
    await expectText(
      '#error',
      'Could not list the media files: GET /media → 401: this API needs Authorization: Bearer <JIT_API_TOKEN> (enter the API token at the top of the page)',
      10_000,
      guardedPage,
    );
    await guardedPage.fill('#api-token', token);
    await guardedPage.press('#api-token', 'Tab');
    await expectText('#media-pick', /3 files/, 10_000, guardedPage);
    expect(await text('#error', guardedPage)).toBe('');

    // A file outside JIT_MEDIA_ROOTS: the orchestrator's 400, word for word.
    await guardedPage.fill('#video-url', made[0]);
    await guardedPage.click('#start');
    await expectText(
      '#error',
      `Could not start the session: POST /session → 400: input ${JSON.stringify(made[0])}: not under a media root (${mediaRoot})`,
      10_000,
      guardedPage,
    );
    await screenshot(guardedPage, '08-outside-media-root');
  });
});
