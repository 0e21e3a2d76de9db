/**
 * Reading the orchestrator's player page as a viewer does: the frame its <video> shows (the index
 * every sample clip carries in its pixels) and the tones its audio carries on each side.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { artifactsDir } from '../support/browser';
import { decodeFrameIndex, sampleBandLumas } from '../support/media';

/** Width the picture is scaled to before reading: 16 px per index column is plenty. */
const READ_WIDTH = 256;

/** The frame index shown in the page's video, or -1 while it shows none. */
export async function shownFrame(page: Page): Promise<number> {
  const gray = await page.evaluate((width) => {
    const video = document.querySelector('video')!;
    if (!video.videoWidth || video.readyState < 2) return null;
    const height = Math.round((width * video.videoHeight) / video.videoWidth);
    const canvas = Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const luma = new Uint8Array(width * height);
    for (let i = 0; i < luma.length; i++) luma[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
    return { height, data: btoa(String.fromCharCode(...luma)) };
  }, READ_WIDTH);
  if (!gray) return -1;
  return decodeFrameIndex(sampleBandLumas({ width: READ_WIDTH, height: gray.height, data: Buffer.from(gray.data, 'base64') }));
}

/** Waits until the frame the video shows passes `test`; resolves with it, or fails naming the last frame seen. */
export async function waitForShown(page: Page, test: (frame: number) => boolean, what: string, timeoutMs = 8000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await shownFrame(page);
  while (!test(last) && Date.now() < deadline) {
    await page.waitForTimeout(40);
    last = await shownFrame(page);
  }
  if (!test(last)) throw new Error(`the page shows frame ${last} after ${timeoutMs} ms, not ${what}`);
  return last;
}

/** Waits until the video shows frame `n`. */
export const waitForShownFrame = (page: Page, n: number, timeoutMs = 8000) => waitForShown(page, (f) => f === n, `frame ${n}`, timeoutMs);

/** The loudest frequency (Hz, to an FFT bin of ≈ 6 Hz) on the left and right side of the page's audio. */
export function heardTones(page: Page): Promise<{ left: number; right: number }> {
  return page.evaluate(async () => {
    const stream = document.querySelector('video')!.srcObject as MediaStream;
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream(stream.getAudioTracks()));
    const splitter = ctx.createChannelSplitter(2);
    const sides = [0, 1].map((channel) => {
      const analyser = Object.assign(ctx.createAnalyser(), { fftSize: 8192, smoothingTimeConstant: 0 });
      splitter.connect(analyser, channel);
      return analyser;
    });
    source.connect(splitter);
    await ctx.resume();
    await new Promise((r) => setTimeout(r, 500));
    const [left, right] = sides.map((analyser) => {
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const loudest = bins.indexOf(Math.max(...bins.subarray(4)));
      return (loudest * ctx.sampleRate) / analyser.fftSize;
    });
    await ctx.close();
    return { left, right };
  });
}

/** Saves a screenshot of the page as test-artifacts/web/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(artifactsDir, 'web');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
