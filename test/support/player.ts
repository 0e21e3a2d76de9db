/**
 * Typed wrappers around the test's probe in a player page (`window.probe`, test/support/page-probe.ts,
 * installed by openPlayer), so tests read as what a viewer does.
 */
import type { Browser, Page } from 'playwright-core';
import { openPlayer } from './browser';
import type { PageProbe, ProbeConnectOptions } from './page-probe';

export interface ServerMessage {
  type: string;
  state?: string;
  frame?: number;
  /** The timecode of `frame` (state, seeked, frame). */
  tc?: string;
  message?: string;
  audioOffset?: number | null;
  frameCount?: number;
}

/** What connect takes besides the URL: a session's iceServers, 'relay' to go through TURN only. */
export type ConnectOptions = Pick<ProbeConnectOptions, 'iceServers' | 'iceTransportPolicy'>;

type WithProbe = { probe: PageProbe };

/** Connects the page (its stream field set to `whepUrl` when given, its own JIT's otherwise) with a click on Connect. */
export const connect = (page: Page, whepUrl?: string, options?: ConnectOptions) =>
  page.evaluate(([url, o]) => (window as unknown as WithProbe).probe.connect(url, o), [whepUrl, options] as const);

export const disconnect = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.disconnect());

export const send = (page: Page, message: unknown) =>
  page.evaluate((m) => (window as unknown as WithProbe).probe.send(m), message as object | string);

/** Sends a message and resolves with the first later reply matching `predicate` (an expression over `m`). */
export const sendAndWait = (page: Page, message: unknown, predicate: string, timeoutMs = 5000) =>
  page.evaluate(([m, p, t]) => (window as unknown as WithProbe).probe.sendAndWait(m, p as string, t as number) as Promise<ServerMessage>, [
    message,
    predicate,
    timeoutMs,
  ] as const);

export const waitForMessage = (page: Page, predicate: string, timeoutMs = 5000) =>
  page.evaluate(([p, t]) => (window as unknown as WithProbe).probe.waitForMessage(p as string, t as number) as Promise<ServerMessage>, [
    predicate,
    timeoutMs,
  ] as const);

export const messages = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.messages as ServerMessage[]);

/** `messages` with when each arrived (performance.now() in the page). */
export const timedMessages = (page: Page) =>
  page.evaluate(() => {
    const probe = (window as unknown as WithProbe).probe;
    return probe.messages.map((m, i) => ({ ...(m as ServerMessage), at: probe.messageTimes[i] }));
  });

export const frameIndex = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.readFrameIndex());

/** Resolves with the ms until frame `n` is on screen; rejects naming the last frame seen. */
export const waitForFrame = (page: Page, n: number, timeoutMs = 5000) =>
  page.evaluate(([f, t]) => (window as unknown as WithProbe).probe.waitForFrameIndex(f, t), [n, timeoutMs] as const);

/** Sends a seek and resolves once the requested frame is shown. */
export async function seekAndWait(page: Page, frame: number, timeoutMs = 5000): Promise<number> {
  return page.evaluate(
    async ([f, t]) => {
      const probe = (window as unknown as WithProbe).probe;
      const started = performance.now();
      probe.send({ type: 'seek', frame: f });
      await probe.waitForFrameIndex(f, t);
      return performance.now() - started;
    },
    [frame, timeoutMs] as const,
  );
}

/** Starts logging the frame index of every frame the video presents. */
export const startFrameLog = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.startFrameLog());

/**
 * Stops the log: each presented frame's index since startFrameLog, with the browser's count of
 * presented frames then (a step of more than one: frames shown that the log did not read).
 */
export const stopFrameLog = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as WithProbe).probe.stopFrameLog().map(({ index, presentedFrames }) => ({ index, presentedFrames })),
  );

export const videoSize = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.videoSize());

export const audioLevels = (page: Page) => page.evaluate(() => (window as unknown as WithProbe).probe.audioLevels());

export const stats = (page: Page) => page.evaluate(async () => (await (window as unknown as WithProbe).probe.stats())!);

/** Mean RGB of a square of the video picture centred at (fx, fy), fractions of its size. */
export const pixelColor = (page: Page, fx: number, fy: number) =>
  page.evaluate(
    ([x, y]) => {
      const video = document.querySelector('video')!;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      const size = 8;
      const px = ctx.getImageData(Math.round(x * canvas.width) - size / 2, Math.round(y * canvas.height) - size / 2, size, size).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < px.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += px[i + c];
      return sum.map((v) => v / (px.length / 4));
    },
    [fx, fy] as const,
  );

/** Standard deviation of luma over the picture below the index band: how much contrast is left. */
export const pictureContrast = (page: Page) =>
  page.evaluate(() => {
    const video = document.querySelector('video')!;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const top = Math.ceil(canvas.height / 7);
    const px = ctx.getImageData(0, top, canvas.width, canvas.height - top).data;
    let sum = 0;
    let sq = 0;
    const n = px.length / 4;
    for (let i = 0; i < px.length; i += 4) {
      const y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
      sum += y;
      sq += y * y;
    }
    const mean = sum / n;
    return Math.sqrt(sq / n - mean * mean);
  });

/** A fresh page of a JIT's own player (at `baseUrl`), connected, with frame 0 on screen. */
export async function openViewer(browser: Browser, baseUrl: string): Promise<Page> {
  const page = await openPlayer(browser, baseUrl);
  await connect(page);
  await waitForFrame(page, 0, 10_000);
  return page;
}

/**
 * Plays a stream's WHEP URL (with its `?token=` when it has one) in a fresh page of that JIT's own
 * player; resolves once `frame` is on screen.
 */
export async function playStream(browser: Browser, whepUrl: string, frame = 0): Promise<void> {
  const page = await openPlayer(browser, new URL(whepUrl).origin);
  try {
    await connect(page, whepUrl);
    await waitForFrame(page, 0, 10_000);
    if (frame) await seekAndWait(page, frame);
  } finally {
    await page.close();
  }
}
