/**
 * The JIT's viewer token (JIT_VIEWER_TOKEN, what the agent gives a session's JIT): WHEP and /status
 * only with it, the player page and /health open, the page passing its own ?token= on; without
 * the setting (npm run demo, a JIT run by hand) everything stays open.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPlayer } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startJit } from '../support/jit-process';
import { waitForFrame } from '../support/player';
import { http } from '../support/service-process';

jest.setTimeout(120_000);

let browser: Browser;
let clip: string;
beforeAll(async () => {
  [browser, clip] = await Promise.all([launchBrowser(), makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 30 })]);
});
afterAll(async () => browser?.close());

it('with JIT_VIEWER_TOKEN takes only viewers that present it; its own page passes ?token= on', async () => {
  const token = randomBytes(24).toString('base64url');
  const jit = await startJit(['-i', clip, '--verbose'], { JIT_VIEWER_TOKEN: token, JIT_SESSION_ID: 'session-test-1' });
  try {
    const offer = (url: string) => http('POST', url, 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', { 'content-type': 'application/sdp' });
    expect((await offer(`${jit.url}/whep`)).status).toBe(401);
    expect((await offer(`${jit.url}/whep?token=${token.slice(1)}`)).status).toBe(401);
    expect((await offer(`${jit.url}/whep?token=${token}`)).status).toBe(400); // let in, then refused as an offer
    expect((await http('GET', `${jit.url}/status`)).status).toBe(401);
    expect((await http('GET', `${jit.url}/status?token=${token}`)).status).toBe(200);
    expect((await http('GET', `${jit.url}/health`)).status).toBe(200);
    expect((await fetch(`${jit.url}/`)).status).toBe(200);

    const page = await openPlayer(browser, jit.url.replace(/\/$/, ''));
    await page.goto(`${jit.url}/?token=${token}`);
    await waitForFrame(page, 0, 15_000);
    await page.close();
    expect(jit.output()).toContain('"sessionId":"session-test-1"');
    // Its request logs (--verbose) mask the token and leave headers out.
    expect(jit.output()).toMatch(/"url":"\/status\?token=…"/);
    expect(jit.output()).not.toContain(token);
  } finally {
    await jit.stop();
  }
});

it('without JIT_VIEWER_TOKEN is open, as npm run demo runs it', async () => {
  const jit = await startJit(['-i', clip]);
  try {
    expect((await http('GET', `${jit.url}/status`)).status).toBe(200);
    const page = await openPlayer(browser, jit.url);
    await page.goto(`${jit.url}/`);
    await waitForFrame(page, 0, 15_000);
    await page.close();
  } finally {
    await jit.stop();
  }
});
