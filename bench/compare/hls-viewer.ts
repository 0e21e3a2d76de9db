/**
 * The HLS side in Chromium: hls.js (from node_modules, default configuration) on the video
 * element of the JIT's own player page, served by the on-the-fly HLS server, so the frame index
 * is read from the pixels by the same code (`probe.readFrameIndex`, `probe.waitForFrameIndex`) for
 * both sides.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { openPlayer } from '../../test/support/browser';
import { type PageProbe, type SeekRun } from '../bench-util';
import type { HlsSessionStats, OnTheFlyHlsServer } from './hls-server';

declare const probe: PageProbe;
/** hls.js's global, as far as used here */
declare const Hls: new (config?: object) => { loadSource(url: string): void; attachMedia(video: HTMLVideoElement): void; destroy(): void };

/** One HLS viewing session: its id on the server and its page (hls.js loaded, nothing started). */
export interface HlsViewer {
  session: string;
  page: Page;
}

export async function openHlsViewer(browser: Browser, server: OnTheFlyHlsServer): Promise<HlsViewer> {
  const page = await openPlayer(browser, server.baseUrl);
  await page.addScriptTag({ url: '/hls.min.js' });
  return { session: randomBytes(6).toString('hex'), page };
}

/** Closes the page and ends the session on the server (ffmpeg killed); returns the session's figures. */
export async function closeHlsViewer(server: OnTheFlyHlsServer, viewer: HlsViewer): Promise<HlsSessionStats> {
  await viewer.page.close();
  return server.endSession(viewer.session);
}

export interface HlsFirstFrame {
  /** hls.loadSource → first presented frame */
  requestToFrame: number;
  /** loadSource → playlist received */
  playlist: number;
  /** first segment request → its response complete (the server waits for ffmpeg) */
  firstSegment: number;
  /** first segment received → frame presented (hls.js transmux, MSE append, decode) */
  segmentToFrame: number;
  index: number;
}

/** Starts playing (autoplay) and resolves once the first frame is presented. */
export async function startHls(viewer: HlsViewer, url: string): Promise<HlsFirstFrame> {
  return viewer.page.evaluate(async (playlistUrl) => {
    const video = probe.video;
    const firstFrame = new Promise<{ at: number; index: number }>((resolve) => {
      video.requestVideoFrameCallback((_now, meta) => resolve({ at: meta.presentationTime, index: probe.readFrameIndex() }));
    });
    const started = performance.now();
    const hls = new Hls();
    (window as unknown as { hls: unknown }).hls = hls;
    hls.attachMedia(video);
    hls.loadSource(playlistUrl);
    const frame = await Promise.race([
      firstFrame,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no HLS frame within 60 s')), 60000)),
    ]);
    // MSE can present the frame before the element reports HAVE_CURRENT_DATA: read it again then
    for (let i = 0; frame.index < 0 && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 10));
      frame.index = probe.readFrameIndex();
    }
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const playlist = entries.find((e) => e.name.endsWith('/main.m3u8'));
    const segment = entries.find((e) => /\/seg\d+\.ts$/.test(e.name));
    return {
      requestToFrame: frame.at - started,
      playlist: (playlist?.responseEnd ?? NaN) - started,
      firstSegment: segment ? segment.responseEnd - segment.startTime : NaN,
      segmentToFrame: frame.at - (segment?.responseEnd ?? NaN),
      index: frame.index,
    };
  }, url);
}

/** Waits until hls.js has the whole source in the browser's buffer (short clips). */
export async function waitFullyBuffered(viewer: HlsViewer, timeoutMs: number): Promise<void> {
  await viewer.page.waitForFunction(
    () => {
      const v = probe.video;
      return (
        Number.isFinite(v.duration) && v.buffered.length === 1 && v.buffered.start(0) <= 0.05 && v.buffered.end(0) >= v.duration - 0.05
      );
    },
    undefined,
    { timeout: timeoutMs, polling: 100 },
  );
}

export async function pause(viewer: HlsViewer): Promise<void> {
  await viewer.page.evaluate(() => probe.video.pause());
}

/**
 * One seek, the way a web player seeks a frame: video.currentTime set to the middle of frame
 * n's interval, then the frame index read from the pixels until it is n (shown time: that frame's
 * presentation, as for jit); exact when
 * the frame on screen after `seeked` and the next presented frame (or 150 ms) is n.
 */
export async function hlsSeekRun(viewer: HlsViewer, frame: number, fps: number, timeoutMs: number): Promise<SeekRun> {
  return viewer.page.evaluate(
    async ({ n, rate, timeout }) => {
      const video = probe.video;
      const seeked = new Promise<number>((resolve) => video.addEventListener('seeked', () => resolve(performance.now()), { once: true }));
      const started = performance.now();
      video.currentTime = (n + 0.5) / rate;
      let shownAt = NaN;
      const shown = probe.waitForFrameIndex(n, timeout, started).then(
        (ms) => (shownAt = started + ms),
        () => undefined,
      );
      const seekedAt = await Promise.race([seeked, new Promise<number>((r) => setTimeout(() => r(NaN), timeout))]);
      if (Number.isFinite(seekedAt)) {
        // the frame of the new position is presented around 'seeked'
        await Promise.race([new Promise((r) => video.requestVideoFrameCallback(r)), new Promise((r) => setTimeout(r, 150))]);
        await Promise.race([shown, new Promise((r) => setTimeout(r, 50))]);
      }
      const settled = probe.readFrameIndex();
      const shownMs = shownAt - started;
      return { frame: n, shownMs, seekedMs: seekedAt - started, exact: Number.isFinite(shownMs) && settled === n, lastIndex: settled };
    },
    { n: frame, rate: fps, timeout: timeoutMs },
  );
}

/** Frames the video element presented so far (MSE playback). */
export async function presentedFrames(viewer: HlsViewer): Promise<{ total: number; dropped: number; currentTime: number }> {
  return viewer.page.evaluate(() => {
    const q = probe.video.getVideoPlaybackQuality();
    return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames, currentTime: probe.video.currentTime };
  });
}
