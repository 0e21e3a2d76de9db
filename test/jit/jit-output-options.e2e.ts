/**
 * What the output flags change in what the browser receives: picture size (--lowres,
 * --width/--height, sample aspect), colour (--colorspace, --bt2100-tone-mapping), timing
 * (--frame-rate-num/den, --duration), and VP8 where the browser does not take H.264.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPlayer } from '../support/browser';
import { startJit, type RunningJit } from '../support/jit-process';
import { makeIndexedClip } from '../support/media';
import {
  connect,
  frameIndex,
  pictureContrast,
  pixelColor,
  seekAndWait,
  sendAndWait,
  stats,
  videoSize,
  waitForFrame,
  waitForMessage,
  openViewer,
} from '../support/player';

jest.setTimeout(120_000);

let browser: Browser;
let clip: string;
beforeAll(async () => {
  [browser, clip] = await Promise.all([launchBrowser(), makeIndexedClip({ codec: 'prores', width: 1280, height: 720, frames: 100 })]);
});
afterAll(async () => {
  await browser?.close();
});

/** Runs a JIT with `args`, connects a viewer showing frame 0, and hands both to `check`. */
async function withViewer(args: string[], check: (page: Page, jit: RunningJit) => Promise<void>): Promise<void> {
  const jit = await startJit(args);
  try {
    const page = await openViewer(browser, jit.url);
    try {
      await check(page, jit);
    } finally {
      await page.close();
    }
  } finally {
    await jit.stop();
  }
}

describe('picture size', () => {
  it.each([
    [[], { width: 1280, height: 720 }],
    [['--lowres', '1'], { width: 640, height: 360 }],
    [['--lowres', '2'], { width: 320, height: 180 }],
    [['--width', '480'], { width: 480, height: 270 }],
    [['--height', '360'], { width: 640, height: 360 }],
    [['--width', '400', '--height', '400'], { width: 400, height: 400 }],
    [['--sample-aspect-num', '4', '--sample-aspect-den', '3'], { width: 1706, height: 720 }],
    [['--lowres', '1', '--sample-aspect-num', '3', '--sample-aspect-den', '4'], { width: 480, height: 360 }],
  ])('%j gives %j in the browser, frame index intact', async (flags, size) => {
    await withViewer(['-i', clip, ...flags], async (page) => {
      expect(await videoSize(page)).toEqual(size);
      await seekAndWait(page, 37);
      expect(await frameIndex(page)).toBe(37);
    });
  });
});

describe('colour', () => {
  it('--colorspace reinterprets the source matrix', async () => {
    // Below the index band, testsrc2 has saturated colour bars; sample one with and without.
    const colours: number[][] = [];
    for (const flags of [[], ['--colorspace', 'bt601']]) {
      await withViewer(['-i', clip, ...flags], async (page) => {
        colours.push(await pixelColor(page, 0.06, 0.5));
      });
    }
    const [asTagged, as601] = colours;
    const distance = Math.hypot(...asTagged.map((c, i) => c - as601[i]));
    expect(distance).toBeGreaterThan(8);
  });

  it('--bt2100-tone-mapping turns a PQ picture into one with contrast, not a washed-out one', async () => {
    const pq = await makeIndexedClip({ codec: 'prores', width: 1280, height: 720, frames: 50, hdr: 'pq' });
    const contrast: number[] = [];
    for (const flags of [[], ['--bt2100-tone-mapping']]) {
      const jit = await startJit(['-i', pq, ...flags]);
      const page = await openPlayer(browser, jit.url);
      try {
        await connect(page);
        // Untouched PQ puts white near mid-grey, so the index band cannot be read: wait for any picture.
        await page.waitForFunction(() => document.querySelector('video')!.videoWidth > 0, null, { timeout: 10_000 });
        await new Promise((r) => setTimeout(r, 300));
        contrast.push(await pictureContrast(page));
        if (flags.length) expect(await frameIndex(page)).toBe(0);
      } finally {
        await page.close();
        await jit.stop();
      }
    }
    const [plain, toneMapped] = contrast;
    expect(toneMapped).toBeGreaterThan(plain * 1.3);
  });
});

describe('timing', () => {
  it('--frame-rate-num/den sends the requested rate, frames counted at that rate', async () => {
    await withViewer(['-i', clip, '--frame-rate-num', '50', '--frame-rate-den', '1'], async (page) => {
      const state = await waitForMessage(page, "m.type === 'state'");
      expect(state.frameCount).toBe(200);
      // Output frame 21 at 50 fps is source frame 10 at 25 fps.
      await sendAndWait(page, { type: 'seek', frame: 21 }, "m.type === 'seeked' && m.frame === 21");
      await waitForFrame(page, 10);
      // Two output frames per source frame, however fast this machine plays: count what arrives
      // while the picture advances 20 source frames.
      await sendAndWait(page, { type: 'seek', frame: 0 }, "m.type === 'seeked' && m.frame === 0");
      await waitForFrame(page, 0);
      const before = (await stats(page)).framesDecoded as number;
      await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'playing'");
      await waitForFrame(page, 20, 15_000);
      const decoded = ((await stats(page)).framesDecoded as number) - before;
      // The source frame on screen when the count was read (a loaded machine notices frame 20 late).
      const shown = await frameIndex(page);
      expect(shown).toBeGreaterThanOrEqual(20);
      expect(decoded / shown).toBeGreaterThan(1.6);
      expect(decoded / shown).toBeLessThan(2.4);
    });
  });

  it('--duration ends playback at that frame (exclusive)', async () => {
    await withViewer(['-i', clip, '--duration', '20'], async (page) => {
      const refused = await sendAndWait(page, { type: 'seek', frame: 20 }, "m.type === 'error'");
      expect(refused.message).toMatch(/out of range/);
      await seekAndWait(page, 12);
      const ended = await sendAndWait(page, { type: 'play' }, "m.type === 'state' && m.state === 'ended'", 10_000);
      expect(ended.frame).toBe(19);
      await waitForFrame(page, 19);
    });
  });
});

describe('codec', () => {
  it('sends VP8 to a browser that does not take H.264', async () => {
    const jit = await startJit(['-i', clip]);
    const page = await openPlayer(browser, jit.url);
    try {
      await page.evaluate(() => {
        const original = RTCPeerConnection.prototype.addTransceiver;
        RTCPeerConnection.prototype.addTransceiver = function (this: RTCPeerConnection, kind, init) {
          const transceiver = original.call(this, kind, init);
          if (kind === 'video') {
            const vp8 = RTCRtpReceiver.getCapabilities('video')!.codecs.filter((c) => /vp8/i.test(c.mimeType));
            transceiver.setCodecPreferences(vp8);
          }
          return transceiver;
        };
      });
      await connect(page);
      await waitForFrame(page, 0, 10_000);
      await seekAndWait(page, 64);
      expect((await stats(page)).codec).toBe('video/VP8');
    } finally {
      await page.close();
      await jit.stop();
    }
  });
});
