/**
 * Where inputs come from: local paths, file:// and http(s):// URLs (read with range requests,
 * sized by --bitrate), with a clear error naming a URL that cannot be read.
 */
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPlayer } from '../support/browser';
import { runJit, startJit } from '../support/jit-process';
import { makeIndexedClip, makeToneWav } from '../support/media';
import { audioLevels, connect, seekAndWait, sendAndWait, waitForFrame } from '../support/player';
import { serveFiles, type StaticServer } from '../support/static-server';

jest.setTimeout(120_000);

let browser: Browser;
let server: StaticServer;
let clip: string;
let tones: string;
beforeAll(async () => {
  [clip, tones] = await Promise.all([
    makeIndexedClip({ codec: 'h264-longgop', width: 640, height: 360, frames: 200, gop: 25 }),
    makeToneWav({ channels: 2, freqs: [500, 750] }),
  ]);
  server = await serveFiles({ 'clip.mp4': clip, 'tones.wav': tones });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('plays video and audio read over HTTP, seeking with range requests', async () => {
  const jit = await startJit(['-i', server.url('clip.mp4'), server.url('tones.wav'), 'id=tones', '--bitrate', '20000000']);
  const page = await openPlayer(browser, jit.url);
  try {
    await connect(page);
    await waitForFrame(page, 0, 10_000);
    for (const frame of [180, 26, 99]) await seekAndWait(page, frame);
    await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
    let levels = await audioLevels(page);
    for (let i = 0; i < 20 && Math.abs(levels.left.freq - 500) > 30; i++) {
      await new Promise((r) => setTimeout(r, 150));
      levels = await audioLevels(page);
    }
    expect(levels.left.freq).toBeCloseTo(500, -2);
    expect(levels.right.freq).toBeCloseTo(750, -2);
    // --bitrate 20 Mb/s: ranges of two seconds of media, 5 MB.
    expect(server.requests).toContain('GET /clip.mp4 bytes=0-4999999');
  } finally {
    await page.close();
    await jit.stop();
  }
});

it('takes file:// URLs', async () => {
  const jit = await startJit(['-i', pathToFileURL(clip).href]);
  const page = await openPlayer(browser, jit.url);
  try {
    await connect(page);
    await waitForFrame(page, 0, 10_000);
    await seekAndWait(page, 77);
  } finally {
    await page.close();
    await jit.stop();
  }
});

it('ends at once, naming the URL, when an HTTP input cannot be read', async () => {
  const missing = server.url('missing.mov');
  const { code, stderr } = await runJit(['-i', missing]);
  expect(code).toBe(2);
  expect(stderr).toContain(`input ${missing}: cannot open (Server returned 404 Not Found)`);
});
