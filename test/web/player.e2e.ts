/**
 * The orchestrator's player page in headless Chromium, driven by clicking and typing, against a
 * real orchestrator (Temporal dev server, agents and JITs as child processes). What is checked is
 * what a viewer sees: the frame index in the video's pixels, the tones heard on each side, the
 * page's own readouts and error line. Screenshots go to test-artifacts/web/.
 */
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip, makeToneWav } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';
import { heardTones, screenshot, shownFrame, waitForShownFrame } from './player-page';

jest.setTimeout(180_000);

const FRAMES = 250; // 10 s at 25 fps

let temporal: TemporalServer;
let browser: Browser;
let orch: RunningOrchestrator;
let page: Page;
let clip: string;
let stems: string; // 3 channels: 440, 660, 880 Hz
let mix: string; // 2 channels: 1100, 1320 Hz
const pageErrors: string[] = [];

beforeAll(async () => {
  [temporal, browser, clip, stems, mix] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: FRAMES }),
    makeToneWav({ channels: 3, freqs: [440, 660, 880] }),
    makeToneWav({ channels: 2, freqs: [1100, 1320] }),
  ]);
  orch = await startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: 'sessions-web-player',
    JIT_INSTANCE_AGENT_RUNTIME: 'process',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_PORT_MIN: '18700',
    JIT_INSTANCE_AGENT_PORT_MAX: '18709',
    JIT_CONTAINER_PORT_MIN: '31000',
    JIT_CONTAINER_PORT_MAX: '31999',
    JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1',
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${orch.url}/`);
});
afterAll(async () => {
  await browser?.close();
  await orch?.stop();
  await temporal?.stop();
});

const text = (selector: string) => page.locator(selector).innerText();

/** Waits until an element's text matches. */
async function expectText(selector: string, expected: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await text(selector);
  const matches = () => (typeof expected === 'string' ? actual === expected : expected.test(actual));
  while (!matches() && Date.now() < deadline) {
    await page.waitForTimeout(50);
    actual = await text(selector);
  }
  expect(actual).toMatch(expected);
}

/** Waits until the frame shown, the frame readout and the timecode all say `frame`. */
async function expectFrame(frame: number, timecode: string): Promise<void> {
  await waitForShownFrame(page, frame);
  await expectText('#frame', String(frame));
  expect(await text('#timecode')).toBe(timecode);
}

async function press(key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

it('is served at / beside the API, its docs and its health', async () => {
  expect(await page.title()).toMatch(/jit/);
  expect((await http('GET', `${orch.url}/health`)).status).toBe(200);
  expect((await http('GET', `${orch.url}/docs`)).status).toBe(200);
  expect((await http('GET', `${orch.url}/sessions`)).body).toEqual([]);
  expect(await page.locator('#play-pause').isDisabled()).toBe(true);
});

it('shows why a session could not start: a missing file', async () => {
  const missing = path.join(path.dirname(clip), 'no-such-clip.mov');
  await page.fill('#video-url', missing);
  await page.click('#start');
  await expectText('#error', /POST \/session → 422: .*no readable file/, 60_000);
  expect(await text('#error')).toContain(missing);
  await screenshot(page, '01-missing-file');
  expect(await page.locator('#start').isEnabled()).toBe(true);
  expect(await page.locator('#play-pause').isDisabled()).toBe(true);
});

it('starts a session on typed inputs with audio files and their channel counts, showing frame 0', async () => {
  await page.fill('#video-url', clip);
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
  await waitForShownFrame(page, 30, 10_000);
  await page.click('#play-pause');
  await expectText('#state', 'paused');
  await page.waitForTimeout(500);
  const paused = Number(await text('#frame'));
  expect(paused).toBeGreaterThan(30);
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
  await expectText('#error', `frame ${FRAMES} is past the last frame, ${FRAMES - 1} (00:00:09:24)`);
  expect(await shownFrame(page)).toBe(155);
  await screenshot(page, '04-seek-timecode');
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

it('changes the audio pair heard', async () => {
  expect(await page.locator('#audio-pair option').allInnerTexts()).toEqual(['1–2', '2–3', '3–4', '4–5', '5 (alone)']);
  expect(await page.locator('#audio-pair').inputValue()).toBe('0');
  await page.click('#play-pause');
  await expectText('#state', 'playing');
  const first = await heardTones(page);
  expect(first.left).toBeCloseTo(440, -1);
  expect(first.right).toBeCloseTo(660, -1);
  await page.selectOption('#audio-pair', { label: '4–5' });
  let tones = await heardTones(page);
  for (let i = 0; i < 10 && Math.abs(tones.left - 1100) > 10; i++) tones = await heardTones(page);
  expect(tones.left).toBeCloseTo(1100, -1);
  expect(tones.right).toBeCloseTo(1320, -1);
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
  expect(pageErrors).toEqual([]);
});
