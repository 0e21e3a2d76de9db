/**
 * The JIT proven in a real browser: headless Chromium connects by WHEP to a real JIT process
 * and every check reads what is on screen (the frame index each test clip carries in its
 * pixels) or what is heard (WebAudio analysers on the received audio).
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot } from '../support/browser';
import { startJit, type RunningJit } from '../support/jit-process';
import { makeIndexedClip, makeToneWav } from '../support/media';
import {
  audioLevels,
  disconnect,
  frameIndex,
  seekAndWait,
  sendAndWait,
  stats,
  waitForFrame,
  waitForMessage,
  openViewer,
} from '../support/player';

jest.setTimeout(120_000);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const near = (value: number, target: number, tolerance: number) => Math.abs(value - target) <= tolerance;

describe('a ProRes clip with two multi-channel audio files', () => {
  let jit: RunningJit;
  let page: Page;

  beforeAll(async () => {
    const [clip, first, second] = await Promise.all([
      makeIndexedClip({ codec: 'prores', width: 1280, height: 720, frames: 300 }),
      makeToneWav({ channels: 3, freqs: [440, 660, 880] }),
      makeToneWav({ channels: 2, freqs: [1100, 1320] }),
    ]);
    jit = await startJit(['-i', clip, first, 'channel_count=3', 'id=stems', second, 'id=mix']);
    page = await openViewer(browser, jit.url);
  });
  afterAll(async () => {
    await page?.close();
    await jit?.stop();
  });

  it('shows frame 0, paused, to a new viewer', async () => {
    const state = await waitForMessage(page, "m.type === 'state'");
    expect(state).toMatchObject({ state: 'paused', frame: 0, frameCount: 300 });
    expect(await frameIndex(page)).toBe(0);
    await saveScreenshot(page, 'jit-first-frame');
  });

  it('seeks to exactly the requested frame, anywhere in the clip', async () => {
    for (const frame of [299, 150, 1, 0, 123, 77, 298, 2]) {
      await seekAndWait(page, frame);
      expect(await frameIndex(page)).toBe(frame);
    }
    const seeked = await sendAndWait(page, { type: 'seek', frame: 42 }, "m.type === 'seeked'");
    expect(seeked).toEqual({ type: 'seeked', frame: 42, tc: '00:00:01:17' });
  });

  it('holds the picture while paused', async () => {
    await seekAndWait(page, 100);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await frameIndex(page)).toBe(100);
  });

  it('steps one frame forward and back exactly', async () => {
    await seekAndWait(page, 200);
    for (const [frames, expected] of [
      [1, 201],
      [-1, 200],
      [-1, 199],
      [5, 204],
      [-500, 0],
    ]) {
      const seeked = await sendAndWait(page, { type: 'step', frames }, "m.type === 'seeked'");
      expect(seeked.frame).toBe(expected);
      await waitForFrame(page, expected);
    }
  });

  it('plays at the source frame rate and pauses where it is', async () => {
    await seekAndWait(page, 10);
    const before = (await stats(page)).framesDecoded as number;
    await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const shown = await frameIndex(page);
    const elapsed = (Date.now() - started) / 1000;
    // 25 fps from frame 10: allow for start-up and a noisy 2-core machine.
    expect(near(shown - 10, 25 * elapsed, 12)).toBe(true);
    const paused = await sendAndWait(page, { type: 'pause' }, "m.type === 'state' && m.state === 'paused'");
    await waitForFrame(page, paused.frame!);
    await new Promise((r) => setTimeout(r, 500));
    expect(await frameIndex(page)).toBe(paused.frame);
    const decoded = ((await stats(page)).framesDecoded as number) - before;
    expect(decoded).toBeGreaterThanOrEqual(paused.frame! - 10);
  });

  it('plays the chosen pair of audio channels, across the audio files', async () => {
    await seekAndWait(page, 99);
    await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
    const expectPair = async (offset: number, left: number, right: number) => {
      const state = await sendAndWait(page, { type: 'audio', offset }, "m.type === 'state'");
      expect(state.audioOffset).toBe(offset);
      let levels = await audioLevels(page);
      for (let i = 0; i < 20 && !(near(levels.left.freq, left, 30) && near(levels.right.freq, right, 30)); i++) {
        await new Promise((r) => setTimeout(r, 150));
        levels = await audioLevels(page);
      }
      expect(levels.left.freq).toBeCloseTo(left, -2);
      expect(levels.right.freq).toBeCloseTo(right, -2);
    };
    await expectPair(0, 440, 660);
    await expectPair(3, 1100, 1320);
    await expectPair(2, 880, 1100);
    await sendAndWait(page, { type: 'pause' }, "m.type === 'state' && m.state === 'paused'");
  });

  it('answers invalid control messages with an error and changes nothing', async () => {
    await seekAndWait(page, 60);
    for (const garbage of ['not json', '{"type":"warp"}', '{"type":"seek","frame":-3}', '{"type":"seek","frame":"9"}', '[]']) {
      const reply = await sendAndWait(page, garbage, "m.type === 'error'");
      expect(reply.message).toMatch(/invalid control message/);
    }
    const outOfRange = await sendAndWait(page, { type: 'seek', frame: 300 }, "m.type === 'error'");
    expect(outOfRange.message).toMatch(/frame 300 is out of range/);
    const badOffset = await sendAndWait(page, { type: 'audio', offset: 9 }, "m.type === 'error'");
    expect(badOffset.message).toMatch(/audio offset/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await frameIndex(page)).toBe(60);
    await seekAndWait(page, 61);
  });

  it('serves two viewers independently and keeps serving when one leaves', async () => {
    await seekAndWait(page, 250);
    const second = await openViewer(browser, jit.url);
    try {
      expect(await frameIndex(second)).toBe(0);
      expect(await frameIndex(page)).toBe(250);
      await seekAndWait(second, 30);
      expect(await frameIndex(page)).toBe(250);
      let status = await (await fetch(`${jit.url}/status`)).json();
      expect(status.viewers).toBe(2);
      await disconnect(second);
      for (let i = 0; i < 50 && status.viewers !== 1; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await (await fetch(`${jit.url}/status`)).json();
      }
      expect(status.viewers).toBe(1);
      await seekAndWait(page, 251);
    } finally {
      await second.close();
    }
  });

  it('reports its state for the agent', async () => {
    const status = await (await fetch(`${jit.url}/status`)).json();
    expect(status).toMatchObject({ state: 'paused', frame: 251, viewers: 1 });
    expect(status.uptimeSeconds).toBeGreaterThan(0);
    expect(status.idleSeconds).toBeGreaterThanOrEqual(0);
    expect(status.media.audio).toEqual([
      { url: expect.stringMatching(/\.wav$/), id: 'stems', channels: 3 },
      { url: expect.stringMatching(/\.wav$/), id: 'mix', channels: 2 },
    ]);
    expect(await (await fetch(`${jit.url}/health`)).json()).toMatchObject({ status: 'ok' });
  });
});

describe('a long-GOP H.264 clip with B-frames', () => {
  let jit: RunningJit;
  let page: Page;

  beforeAll(async () => {
    const clip = await makeIndexedClip({ codec: 'h264-longgop', width: 1280, height: 720, frames: 300, gop: 50, bframes: 3 });
    jit = await startJit(['-i', clip]);
    page = await openViewer(browser, jit.url);
  });
  afterAll(async () => {
    await page?.close();
    await jit?.stop();
  });

  it('seeks exactly across GOP boundaries and to both ends', async () => {
    for (const frame of [49, 50, 51, 99, 100, 101, 0, 299, 298, 149, 150, 25, 74, 226]) {
      await seekAndWait(page, frame);
      expect(await frameIndex(page)).toBe(frame);
    }
  });

  it('steps back across a GOP boundary', async () => {
    await seekAndWait(page, 101);
    for (const expected of [100, 99, 98]) {
      await sendAndWait(page, { type: 'step', frames: -1 }, `m.type === 'seeked' && m.frame === ${expected}`);
      await waitForFrame(page, expected);
    }
  });

  it('plays from a seek point with consecutive frames', async () => {
    await seekAndWait(page, 140);
    await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
    await waitForFrame(page, 170, 5000);
    await sendAndWait(page, { type: 'pause' }, "m.type === 'state' && m.state === 'paused'");
    const s = await stats(page);
    expect(s.codec).toBe('video/H264');
  });
});
