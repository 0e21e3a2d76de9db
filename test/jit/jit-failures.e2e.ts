/**
 * Bad input and faults: each gets a clear error (exit code and message naming the flag or
 * input, HTTP status with a reason, an error on the control channel) and leaves the JIT serving.
 */
import { copyFile, mkdtemp, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPlayer } from '../support/browser';
import { runJit, startJit, type RunningJit } from '../support/jit-process';
import { makeIndexedClip, makeToneWav } from '../support/media';
import { eventually } from '../support/eventually';
import { connect, seekAndWait, sendAndWait, waitForFrame } from '../support/player';

jest.setTimeout(120_000);

let clip: string;
let tones: string;
let scratch: string;
beforeAll(async () => {
  [clip, tones] = await Promise.all([
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
    makeToneWav({ channels: 2, freqs: [440, 660] }),
  ]);
  scratch = await mkdtemp(path.join(tmpdir(), 'jit-failures-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the command line', () => {
  it('--help lists every option of the spec', async () => {
    const { code, stdout } = await runJit(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--input',
      '--lowres',
      '--sample-aspect-num',
      '--sample-aspect-den',
      '--colorspace',
      '--host',
      '--port',
      '--verbose',
      '--channels',
      '--cho',
      '--threads',
      '--thread-type',
      '--bt2100-tone-mapping',
      '--width',
      '--height',
      '--frame-rate-num',
      '--frame-rate-den',
      '--region',
      '--bitrate',
      '--technical-timeout',
      '--duration',
      'URLS',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--width', '-5'], /--width/],
    [['--thread-type', 'fiber'], /thread-type/],
    [['--port', 'http'], /--port/],
    [['--cho', '4'], /--cho: offset 4 is beyond the 2 audio channels/],
  ])('refuses %j at once, naming the flag', async (flags, message) => {
    const { code, stderr } = await runJit(['-i', clip, tones, ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses a missing file, a file that is no media, and an audio input without audio', async () => {
    const missing = path.join(scratch, 'nowhere.mov');
    const notMedia = path.join(scratch, 'notes.mov');
    await writeFile(notMedia, 'this is not a movie\n'.repeat(100));
    for (const [args, message] of [
      [['-i', missing], `input ${missing}: no readable file`],
      [['-i', notMedia], `input ${notMedia}: cannot`],
      [['-i', clip, clip], `input ${clip}: has no audio stream`],
      [['-i', clip, tones, 'channel_count=4'], 'channel_count=4 but the file has 2 channels'],
    ] as const) {
      const { code, stderr } = await runJit([...args]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });

  it('exits by itself after --technical-timeout seconds without a viewer', async () => {
    const jit = await startJit(['-i', clip, '--technical-timeout', '1']);
    const started = Date.now();
    expect(await jit.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(jit.output()).toContain('no viewer within the technical timeout');
  });
});

describe('a running JIT', () => {
  let browser: Browser;
  let jit: RunningJit;
  let source: string;

  beforeAll(async () => {
    source = path.join(scratch, 'source.mov');
    await copyFile(clip, source);
    browser = await launchBrowser();
    jit = await startJit(['-i', source, tones], {
      PUBLIC_IP: '198.51.100.23',
      JIT_CONTAINER_PORT_MIN: '51200',
      JIT_CONTAINER_PORT_MAX: '51300',
    });
  });
  afterAll(async () => {
    await jit?.stop();
    await browser?.close();
  });

  const post = (body: string, type = 'application/sdp') =>
    fetch(`${jit.url}/whep`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers a malformed offer with 400 and a reason, other content with 415, an unknown viewer with 404', async () => {
    const garbage = await post('hello');
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).message).toMatch(/not an SDP offer/);
    const noVideo = await post(
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n',
    );
    expect(noVideo.status).toBe(400);
    const json = await post('{"sdp":"v=0"}', 'application/json');
    expect(json.status).toBe(415);
    const unknown = await fetch(`${jit.url}/whep/no-such-viewer`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${jit.url}/health`)).status).toBe(200);
  });

  it('announces PUBLIC_IP and uses only UDP ports of the configured range', async () => {
    const page = await browser.newPage();
    try {
      const answer = await page.evaluate(async (url) => {
        const pc = new RTCPeerConnection();
        pc.createDataChannel('control');
        pc.addTransceiver('video', { direction: 'recvonly' });
        await pc.setLocalDescription(await pc.createOffer());
        const response = await fetch(`${url}/whep`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp' },
          body: pc.localDescription!.sdp,
        });
        const location = response.headers.get('location');
        const sdp = await response.text();
        await fetch(new URL(location!, url), { method: 'DELETE' });
        pc.close();
        return { status: response.status, location, sdp };
      }, jit.url);
      expect(answer.status).toBe(201);
      expect(answer.location).toMatch(/^\/whep\/[0-9a-f-]{36}$/);
      const candidates = answer.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
      expect(candidates.some((c) => c.includes(' 198.51.100.23 '))).toBe(true);
      for (const c of candidates.filter((line) => / udp /i.test(line))) {
        const port = Number(c.split(' ')[5]);
        expect(port).toBeGreaterThanOrEqual(51200);
        expect(port).toBeLessThanOrEqual(51300);
      }
    } finally {
      await page.close();
    }
  });

  it('reports a source that breaks mid-session on the control channel and keeps serving', async () => {
    const pages: Page[] = [];
    const viewer = async () => {
      const page = await openPlayer(browser, jit.url);
      pages.push(page);
      return page;
    };
    try {
      const first = await viewer();
      await connect(first);
      await waitForFrame(first, 0, 10_000);
      await seekAndWait(first, 20);
      // The inputs for the next viewer are opened once the first has taken the spare ones (on a video thread, which may be starting).
      await eventually(
        async () => (await (await fetch(`${jit.url}/status`)).json()).nextViewerReady,
        (ready) => ready === true,
        20_000,
      );
      // The file is cut short under the running JIT, as a failing disk or network mount would.
      await truncate(source, Math.floor((await stat(source)).size / 4));
      const error = await sendAndWait(first, { type: 'seek', frame: 190 }, "m.type === 'error'");
      expect(error.message).toMatch(/frame 190 could not be decoded/);
      await seekAndWait(first, 5);
      expect((await fetch(`${jit.url}/health`)).status).toBe(200);

      // The next viewer gets the inputs opened ahead of time, before the cut: same picture, same error.
      const second = await viewer();
      await connect(second);
      await waitForFrame(second, 0, 10_000);
      expect((await sendAndWait(second, { type: 'seek', frame: 190 }, "m.type === 'error'")).message).toMatch(/could not be decoded/);
      // After that, the source cannot be opened: a clear error, until the file is back.
      const third = await viewer();
      await expect(connect(third)).rejects.toThrow(/refused the viewer \(500\).*source\.mov: cannot open/);
      await copyFile(clip, source);
      const fourth = await viewer();
      await connect(fourth);
      await waitForFrame(fourth, 0, 10_000);
      await seekAndWait(fourth, 190);
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });

  it('forgets a viewer whose tab is closed without ending the session', async () => {
    const page: Page = await openPlayer(browser, jit.url);
    await connect(page);
    await waitForFrame(page, 0, 10_000);
    const before = await (await fetch(`${jit.url}/status`)).json();
    await page.close();
    let status = before;
    for (let i = 0; i < 100 && status.viewers >= before.viewers; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await (await fetch(`${jit.url}/status`)).json();
    }
    expect(status.viewers).toBe(before.viewers - 1);
  });
});
