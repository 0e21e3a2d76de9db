/**
 * In/out points and loop in a real browser: the frames on screen (read from their pixels) go
 * from in to out and back to in, exactly and again and again, and nothing outside them shows;
 * with loop off play stops at out. The marks are set by control message and by the player's keys.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { startJit, type RunningJit } from '../support/jit-process';
import { makeIndexedClip } from '../support/media';
import {
  frameIndex,
  seekAndWait,
  sendAndWait,
  startFrameLog,
  stopFrameLog,
  timedMessages,
  waitForFrame,
  waitForMessage,
  openViewer,
} from '../support/player';

jest.setTimeout(120_000);

const IN = 40;
const OUT = 52;

let browser: Browser;
let jit: RunningJit;
let page: Page;

beforeAll(async () => {
  const clip = await makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 150 });
  [browser, jit] = await Promise.all([launchBrowser(), startJit(['-i', clip])]);
  page = await openViewer(browser, jit.url);
});
afterAll(async () => {
  await page?.close();
  await browser?.close();
  await jit?.stop();
});

/** The frames the stream played (its `frame` messages) from message `from` on, and when each arrived. */
const playedSince = async (from: number) => (await timedMessages(page)).slice(from).filter((m) => m.type === 'frame');

it('sets in and out by frame and timecode, and reports them in the state and on /status', async () => {
  const marked = await sendAndWait(page, { type: 'setIn', frame: IN }, "m.type === 'state'");
  expect(marked).toMatchObject({ in: { frame: IN, tc: '00:00:01:15' }, out: null, loop: false });
  const both = await sendAndWait(page, { type: 'setOut', tc: '00:00:02:02' }, "m.type === 'state'");
  expect(both).toMatchObject({ in: { frame: IN }, out: { frame: OUT, tc: '00:00:02:02' } });
  const looping = await sendAndWait(page, { type: 'loop', on: true }, "m.type === 'state'");
  expect(looping).toMatchObject({ loop: true });
  const status = await (await fetch(`${jit.url}/status`)).json();
  expect(status).toMatchObject({ in: IN, out: OUT, loop: true });
  expect(status.viewerList[0]).toMatchObject({ in: IN, out: OUT, loop: true });
});

it('loops in → out: the picture wraps from out to in exactly, again and again, nothing outside shown', async () => {
  await seekAndWait(page, IN);
  const from = (await timedMessages(page)).length;
  await startFrameLog(page);
  await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
  // Five loops and a bit at 25 fps: at least three wraps the log sees whole.
  await new Promise((r) => setTimeout(r, (5.5 * (OUT - IN + 1) * 1000) / 25));
  const shown = await stopFrameLog(page);
  await sendAndWait(page, { type: 'pause' }, "m.type === 'state' && m.state === 'paused'");

  // The stream: exactly in..out, then in again.
  const frames = await playedSince(from);
  const played = frames.map((m) => m.frame!);
  const length = OUT - IN + 1;
  expect(played.length).toBeGreaterThan(4 * length);
  expect(played).toEqual(played.map((_, i) => IN + ((i + 1) % length)));
  // Paced across the jump back like any frame: 40 ms at 25 fps; generous for a loaded machine, far below a re-seek's stall.
  const wrapGaps = frames.flatMap((m, i) => (i > 0 && m.frame === IN ? [m.at - frames[i - 1].at] : []));
  expect(wrapGaps.length).toBeGreaterThanOrEqual(3);
  for (const gap of wrapGaps) expect(gap).toBeLessThan(120);

  // The screen: every presented frame in [in, out]; steps of one frame on, and out → in exactly,
  // again and again. A step across a frame the log missed (the browser presented two between its
  // callbacks) proves nothing either way; a browser short of CPU drops a late frame now and then
  // (any frame, not the loop's: the stream's own sequence is checked exactly above), so a few are let by.
  expect(shown.every(({ index }) => index >= IN && index <= OUT)).toBe(true);
  let wraps = 0;
  const dropped: string[] = [];
  for (let i = 1; i < shown.length; i++) {
    const [before, after] = [shown[i - 1], shown[i]];
    const seen = after.presentedFrames === null || after.presentedFrames - (before.presentedFrames ?? 0) === 1;
    if (!seen || after.index === before.index || after.index === before.index + 1) continue;
    if (before.index === OUT && after.index === IN) wraps++;
    else dropped.push(`${before.index} → ${after.index}`);
  }
  expect(wraps).toBeGreaterThanOrEqual(3);
  expect(dropped.length).toBeLessThanOrEqual(Math.max(2, shown.length / 20));
});

it('stops at out, paused, with loop off; play again starts from in', async () => {
  await sendAndWait(page, { type: 'loop', on: false }, "m.type === 'state' && m.loop === false");
  await seekAndWait(page, OUT - 5);
  const stopped = await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'paused'");
  expect(stopped.frame).toBe(OUT);
  await waitForFrame(page, OUT);
  await new Promise((r) => setTimeout(r, 300));
  expect(await frameIndex(page)).toBe(OUT);
  const from = (await timedMessages(page)).length;
  const again = await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'paused'");
  expect(again.frame).toBe(OUT);
  expect((await playedSince(from)).map((m) => m.frame)).toEqual(Array.from({ length: OUT - IN }, (_, i) => IN + 1 + i));
});

it('marks with I and O, loops with / and clears with Alt+I, Alt+O on the player page', async () => {
  await seekAndWait(page, 10);
  await page.keyboard.press('i');
  await waitForMessage(page, "m.type === 'state' && m.in && m.in.frame === 10");
  await seekAndWait(page, 20);
  await page.keyboard.press('o');
  await waitForMessage(page, "m.type === 'state' && m.out && m.out.frame === 20 && m.in.frame === 10");
  await page.keyboard.press('/');
  await waitForMessage(page, "m.type === 'state' && m.loop === true");
  await page.waitForFunction(() => document.querySelector('#in-out')?.textContent === '10 → 20');
  await page.locator('#scrub-in').waitFor({ state: 'visible' });
  await page.keyboard.press('Alt+i');
  await waitForMessage(page, "m.type === 'state' && m.in === null && m.out.frame === 20");
  await page.keyboard.press('Alt+o');
  await waitForMessage(page, "m.type === 'state' && m.in === null && m.out === null");
  await page.locator('#scrub-out').waitFor({ state: 'hidden' });
  expect(await page.locator('#in-out').innerText()).toBe('');
});
