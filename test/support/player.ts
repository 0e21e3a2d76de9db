/**
 * Typed wrappers around the player page's `window.jit` test interface (web/jit-player/player.js),
 * so tests read as what a viewer does.
 */
import type { Browser, Page } from 'playwright-core';
import { openPlayer } from './browser';

export interface ServerMessage {
  type: string;
  state?: string;
  frame?: number;
  message?: string;
  audioOffset?: number | null;
  frameCount?: number;
}

/** What the page's connect takes besides the URL: a session's iceServers, 'relay' to go through TURN only. */
export interface ConnectOptions {
  iceServers?: { urls: string[]; username?: string; credential?: string }[];
  iceTransportPolicy?: 'all' | 'relay';
}

interface JitPage {
  connect(url?: string, options?: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  send(message: unknown): void;
  sendAndWait(message: unknown, predicate: string, timeoutMs: number): Promise<ServerMessage>;
  waitForMessage(predicate: string, timeoutMs: number, from?: number): Promise<ServerMessage>;
  messages: ServerMessage[];
  readFrameIndex(): number;
  waitForFrameIndex(n: number, timeoutMs: number, since?: number): Promise<number>;
  videoSize(): { width: number; height: number };
  audioLevels(): Promise<{ left: { freq: number; db: number }; right: { freq: number; db: number } }>;
  stats(): Promise<Record<string, unknown>>;
  readBandLumas(): number[] | null;
  video: HTMLVideoElement;
}
type WithJit = { jit: JitPage };

export const connect = (page: Page, whepUrl?: string, options?: ConnectOptions) =>
  page.evaluate(([url, o]) => (window as unknown as WithJit).jit.connect(url, o), [whepUrl, options] as const);

export const disconnect = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.disconnect());

export const send = (page: Page, message: unknown) =>
  page.evaluate((m) => (window as unknown as WithJit).jit.send(m), message as object | string);

/** Sends a message and resolves with the first later reply matching `predicate` (an expression over `m`). */
export const sendAndWait = (page: Page, message: unknown, predicate: string, timeoutMs = 5000) =>
  page.evaluate(
    ([m, p, t]) => (window as unknown as WithJit).jit.sendAndWait(m, p as string, t as number),
    [message, predicate, timeoutMs] as const,
  );

export const waitForMessage = (page: Page, predicate: string, timeoutMs = 5000) =>
  page.evaluate(([p, t]) => (window as unknown as WithJit).jit.waitForMessage(p as string, t as number), [predicate, timeoutMs] as const);

export const messages = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.messages);

export const frameIndex = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.readFrameIndex());

/** Resolves with the ms until frame `n` is on screen; rejects naming the last frame seen. */
export const waitForFrame = (page: Page, n: number, timeoutMs = 5000) =>
  page.evaluate(([f, t]) => (window as unknown as WithJit).jit.waitForFrameIndex(f, t), [n, timeoutMs] as const);

/** Sends a seek and resolves once the requested frame is shown. */
export async function seekAndWait(page: Page, frame: number, timeoutMs = 5000): Promise<number> {
  return page.evaluate(
    async ([f, t]) => {
      const jit = (window as unknown as WithJit).jit;
      const started = performance.now();
      jit.send({ type: 'seek', frame: f });
      await jit.waitForFrameIndex(f, t);
      return performance.now() - started;
    },
    [frame, timeoutMs] as const,
  );
}

export const videoSize = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.videoSize());

export const audioLevels = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.audioLevels());

export const stats = (page: Page) => page.evaluate(() => (window as unknown as WithJit).jit.stats());

/** Mean RGB of a square of the video picture centred at (fx, fy), fractions of its size. */
export const pixelColor = (page: Page, fx: number, fy: number) =>
  page.evaluate(
    ([x, y]) => {
      const video = (window as unknown as WithJit).jit.video;
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
    const video = (window as unknown as WithJit).jit.video;
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

/**
 * Plays a stream's WHEP URL (with its `?token=` when it has one) in a fresh page of the JIT's own
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
