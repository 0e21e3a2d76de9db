/**
 * Source timecode in a real browser: clips with a tmcd track (29.97 drop-frame, 25 non-drop) give
 * their start timecode on /status, the `tc` of the state and seeked messages counts from it, and a
 * seek by timecode lands on exactly the frame the pixels say.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { startJit, type RunningJit } from '../support/jit-process';
import { makeIndexedClip } from '../support/media';
import { frameIndex, openViewer, sendAndWait, waitForFrame, waitForMessage } from '../support/player';

jest.setTimeout(120_000);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Case {
  name: string;
  fps: number;
  timecode: string;
  rate: { num: number; den: number };
  dropFrame: boolean;
  /** A seek by frame, the timecode it must report and that of the next frame. */
  byFrame: [number, string, string];
  /** Seeks by timecode and the frames they must land on. */
  byTimecode: [string, number][];
  /** A timecode before the start, and a label the stream's count does not have. */
  outOfRange: string;
  malformed: string;
}

const CASES: Case[] = [
  {
    name: 'a 29.97 drop-frame clip starting at 01:00:00;00',
    fps: 29.97,
    timecode: '01:00:00;00',
    rate: { num: 30000, den: 1001 },
    dropFrame: true,
    byFrame: [1799, '01:00:59;29', '01:01:00;02'],
    byTimecode: [
      ['01:00:59;29', 1799],
      ['01:01:00;02', 1800],
      ['01:00:10;12', 312],
    ],
    outOfRange: '00:59:59;29',
    malformed: '01:01:00;00',
  },
  {
    name: 'a 25 fps clip starting at 10:00:00:00',
    fps: 25,
    timecode: '10:00:00:00',
    rate: { num: 25, den: 1 },
    dropFrame: false,
    byFrame: [1234, '10:00:49:09', '10:00:49:10'],
    byTimecode: [
      ['10:00:10:12', 262],
      ['10:01:19:24', 1999],
    ],
    outOfRange: '10:01:20:00',
    malformed: '10:00:00:25',
  },
];

describe.each(CASES)('$name', (c) => {
  let jit: RunningJit;
  let page: Page;

  beforeAll(async () => {
    // 2000 frames: past the first drop-frame minute at 29.97; small, so it is quick to make.
    const clip = await makeIndexedClip({
      codec: 'h264-longgop',
      width: 320,
      height: 180,
      fps: c.fps,
      frames: 2000,
      gop: 50,
      bframes: 2,
      timecode: c.timecode,
      preset: 'ultrafast',
    });
    jit = await startJit(['-i', clip]);
    page = await openViewer(browser, jit.url);
  });
  afterAll(async () => {
    await page?.close();
    await jit?.stop();
  });

  it('shows its start timecode on /status', async () => {
    const status = await (await fetch(`${jit.url}/status`)).json();
    expect(status.startTimecode).toEqual({ timecode: c.timecode, rate: c.rate, dropFrame: c.dropFrame });
  });

  it('gives the timecode of the frame in state and seeked messages', async () => {
    expect(await waitForMessage(page, "m.type === 'state'")).toMatchObject({ frame: 0, tc: c.timecode });
    const [frame, tc, nextTc] = c.byFrame;
    const seeked = await sendAndWait(page, { type: 'seek', frame }, "m.type === 'seeked'");
    expect(seeked).toEqual({ type: 'seeked', frame, tc });
    await waitForFrame(page, frame);
    const stepped = await sendAndWait(page, { type: 'step', frames: 1 }, "m.type === 'state'");
    expect(stepped).toMatchObject({ state: 'paused', frame: frame + 1, tc: nextTc });
  });

  it('seeks by timecode to exactly the frame of that timecode', async () => {
    for (const [tc, frame] of c.byTimecode) {
      const seeked = await sendAndWait(page, { type: 'seek', tc }, "m.type === 'seeked'");
      expect(seeked).toEqual({ type: 'seeked', frame, tc });
      await waitForFrame(page, frame);
      expect(await frameIndex(page)).toBe(frame);
    }
  });

  it('shows the timecode on the player page, whose go-to box seeks by timecode', async () => {
    const [tc, frame] = c.byTimecode[0];
    await page.fill('#goto', tc);
    await page.press('#goto', 'Enter');
    await waitForFrame(page, frame);
    expect(await page.textContent('#timecode')).toBe(tc);
    expect(await page.textContent('#frame')).toBe(String(frame));
    const [lastTc, lastFrame] = c.byTimecode[c.byTimecode.length - 1];
    await page.fill('#goto', lastTc);
    await page.press('#goto', 'Enter');
    await waitForFrame(page, lastFrame);
    expect(await page.textContent('#timecode')).toBe(lastTc);
  });

  it('refuses a timecode out of the stream, or one that is none, and stays where it is', async () => {
    const [lastTc, lastFrame] = c.byTimecode[c.byTimecode.length - 1];
    const outside = await sendAndWait(page, { type: 'seek', tc: c.outOfRange }, "m.type === 'error'");
    expect(outside.message).toMatch(new RegExp(`^timecode ${c.outOfRange} is out of range: the stream has timecodes ${c.timecode} to `));
    const malformed = await sendAndWait(page, { type: 'seek', tc: c.malformed }, "m.type === 'error'");
    expect(malformed.message).toMatch(new RegExp(`^timecode "${c.malformed}"`));
    const garbage = await sendAndWait(page, { type: 'seek', tc: 'soon' }, "m.type === 'error'");
    expect(garbage.message).toBe('invalid control message: tc: must be a timecode HH:MM:SS:FF');
    const both = await sendAndWait(page, { type: 'seek', tc: lastTc, frame: 3 }, "m.type === 'error'");
    expect(both.message).toBe('invalid control message: a seek takes exactly one of frame and tc');
    await new Promise((r) => setTimeout(r, 300));
    expect(await frameIndex(page)).toBe(lastFrame);
  });
});

describe('a 29.97 drop-frame clip played out at 25 fps (--frame-rate-num 25)', () => {
  let jit: RunningJit;
  let page: Page;

  beforeAll(async () => {
    const clip = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, fps: 29.97, frames: 300, timecode: '01:00:00;15' });
    jit = await startJit(['-i', clip, '--frame-rate-num', '25']);
    page = await openViewer(browser, jit.url);
  });
  afterAll(async () => {
    await page?.close();
    await jit?.stop();
  });

  it("counts output frames at 25 from the source's start timecode", async () => {
    const status = await (await fetch(`${jit.url}/status`)).json();
    expect(status.startTimecode).toEqual({ timecode: '01:00:00;15', rate: { num: 30000, den: 1001 }, dropFrame: true });
    expect(await waitForMessage(page, "m.type === 'state'")).toMatchObject({ frame: 0, tc: '01:00:00:12' });
    expect(await sendAndWait(page, { type: 'seek', frame: 13 }, "m.type === 'seeked'")).toEqual({
      type: 'seeked',
      frame: 13,
      tc: '01:00:01:00',
    });
    expect(await sendAndWait(page, { type: 'seek', tc: '01:00:02:12' }, "m.type === 'seeked'")).toEqual({
      type: 'seeked',
      frame: 50,
      tc: '01:00:02:12',
    });
    // Output frame 50 (2 s) shows source frame 59 (2 s at 29.97, the last one started by then).
    await waitForFrame(page, 59);
  });
});
