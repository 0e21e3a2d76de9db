/**
 * The instance agent as a real process, with the child-process runtime: the shared secret, a
 * stream started for a generated clip and played in Chromium through the JIT's own port, the
 * status with the JIT's status, errors (400 naming the field, 409, 502 naming the missing input,
 * 503 without a free port block, 404), DELETE leaving no process behind, SIGTERM stopping all.
 */
import type { Browser, Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import { launchBrowser, openPlayer, saveScreenshot } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { connect, waitForFrame } from '../support/player';
import { jitPid, portAnswers, processAlive, startAgent, whepCandidates, type RunningAgent } from './agent-process';

jest.setTimeout(60_000);

const secret = randomBytes(24).toString('hex');
// Two blocks of 100 ports: the third concurrent stream gets 503.
const PORT_MIN = 47100;
const PORT_MAX = 47299;

let agent: RunningAgent;
let browser: Browser;
let clip: string;

beforeAll(async () => {
  [clip, browser] = await Promise.all([makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 100 }), launchBrowser()]);
  agent = await startAgent(
    [],
    {
      JIT_AGENT_SECRET: secret,
      JIT_AGENT_RUNTIME: 'process',
      JIT_CONTAINER_PORT_MIN: String(PORT_MIN),
      JIT_CONTAINER_PORT_MAX: String(PORT_MAX),
      JIT_PUBLIC_IP: '198.51.100.23',
    },
    secret,
  );
  console.log(`agent (process runtime) listening ${agent.startMs} ms after spawn`);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await browser?.close();
});

describe('agent API (child-process runtime)', () => {
  let port: number;
  let page: Page | undefined;

  afterAll(async () => {
    await page?.close();
  });

  it('answers /health without the secret and everything else only with it', async () => {
    expect(await agent.api('GET', '/health', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
    const none = await agent.api('GET', '/status', undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/missing bearer token/);
    expect((await agent.api('GET', '/status', undefined, 'not-the-secret')).status).toBe(401);
    expect((await agent.api('POST', '/streams', { id: 'x', inputs: [{ url: clip }] }, null)).status).toBe(401);
    expect((await agent.api('DELETE', '/streams/x', undefined, 'wrong')).status).toBe(401);
    const status = await agent.api('GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ upSince: expect.any(String), idleSince: status.body.upSince, streams: [] });
  });

  it('starts a stream and answers 201 once the JIT is healthy', async () => {
    const t0 = Date.now();
    const res = await agent.api('POST', '/streams', {
      id: 'clip-1',
      inputs: [{ url: clip, id: 'picture' }],
      options: { technicalTimeout: 120 },
    });
    const ms = Date.now() - t0;
    expect(res).toEqual({ status: 201, body: { id: 'clip-1', port: expect.any(Number), runtime: 'process' } });
    port = res.body.port;
    // The first port of a block of the range.
    expect([PORT_MIN, PORT_MIN + 100]).toContain(port);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({ status: 'ok' });
    console.log(`POST /streams → 201 (JIT healthy) in ${ms} ms`);
    // Run as jit's processes are (an idle JIT otherwise spends CPU on V8's memory reducer).
    const command = readFileSync(`/proc/${jitPid(agent.output(), 'clip-1')}/cmdline`, 'utf8').split('\0');
    expect(command.slice(1, 1 + IDLE_PROCESS_NODE_FLAGS.length)).toEqual(IDLE_PROCESS_NODE_FLAGS);
  });

  it('lists it running, with the JIT status', async () => {
    const { status, body } = await agent.api('GET', '/status');
    expect(status).toBe(200);
    expect(body.streams).toEqual([
      {
        id: 'clip-1',
        state: 'running',
        runtime: 'process',
        port,
        whepPath: '/whep',
        startedAt: expect.any(String),
        jit: expect.objectContaining({ state: 'idle', viewers: 0, idleSeconds: expect.any(Number), uptimeSeconds: expect.any(Number) }),
      },
    ]);
    expect(body.streams[0].jit.media.video.url).toBe(clip);
    // No viewer yet: idle since the JIT's start (give or take its own idle clock).
    expect(body.idleSince).not.toBeNull();
    expect(Math.abs(Date.parse(body.idleSince) - Date.parse(body.streams[0].startedAt))).toBeLessThan(3000);
  });

  it('plays in Chromium: the player page and WHEP on the JIT port, first frame on screen', async () => {
    page = await openPlayer(browser, `http://127.0.0.1:${port}/`);
    const t0 = Date.now();
    await connect(page, `http://127.0.0.1:${port}/whep`);
    await waitForFrame(page, 0, 10_000);
    console.log(`first frame on screen ${Date.now() - t0} ms after connect`);
    await saveScreenshot(page, 'agent-process-first-frame');
    const { body } = await agent.api('GET', '/status');
    expect(body.streams[0].jit).toMatchObject({ viewers: 1, state: 'paused', frame: 0 });
    // A viewer is connected: not idle.
    expect(body.idleSince).toBeNull();
  });

  it('gives the JIT PUBLIC_IP and UDP ports of its own block only', async () => {
    const answer = await whepCandidates(page!, `http://127.0.0.1:${port}/whep`);
    expect(answer.status).toBe(201);
    expect(answer.candidates.some((c) => c.includes(' 198.51.100.23 '))).toBe(true);
    const udp = answer.candidates.filter((c) => / udp /i.test(c)).map((c) => Number(c.split(' ')[5]));
    expect(udp.length).toBeGreaterThan(0);
    for (const p of udp) {
      expect(p).toBeGreaterThanOrEqual(port);
      expect(p).toBeLessThan(port + 100);
    }
  });

  it('refuses a second stream with the same id (409)', async () => {
    const res = await agent.api('POST', '/streams', { id: 'clip-1', inputs: [{ url: clip }] });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/clip-1 is already running/);
  });

  it('refuses a bad body with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ inputs: [{ url: clip }] }, /^id: /],
      [{ id: 'has space', inputs: [{ url: clip }] }, /^id: must be 1-64 characters/],
      [{ id: 'a', inputs: [] }, /^inputs: at least one input/],
      [{ id: 'a', inputs: [{ url: clip, channelCount: 0 }] }, /^inputs\[0\]\.channelCount: /],
      [{ id: 'a', inputs: [{ url: '--help' }] }, /^inputs\[0\]\.url: must not start with "-"/],
      [{ id: 'a', inputs: [{ url: clip }], options: { lowres: 9 } }, /^options\.lowres \(--lowres\): Too big/],
      [{ id: 'a', inputs: [{ url: clip }], options: { lowres: '1' } }, /^options\.lowres: /],
      [{ id: 'a', inputs: [{ url: clip }], options: { colorspace: 'xyz' } }, /^options\.colorspace: /],
      [{ id: 'a', inputs: [{ url: clip }], options: { channels: 2, cho: 2 } }, /^options\.cho \(--cho\): must be below --channels/],
      [{ id: 'a', inputs: [{ url: clip }], options: { frameRateDen: 1001 } }, /^options\.frameRateNum \(--frame-rate-num\): is required/],
      [{ id: 'a', inputs: [{ url: clip }], options: { speed: 2 } }, /^options: Unrecognized key: "speed"/],
    ];
    for (const [body, message] of cases) {
      const res = await agent.api('POST', '/streams', body);
      expect({ body, status: res.status, message: res.body.message }).toEqual({
        body,
        status: 400,
        message: expect.stringMatching(message),
      });
    }
  });

  it('answers 502 with the JIT stderr when the JIT exits during start-up, and keeps serving', async () => {
    const missing = '/nonexistent/agent-test/missing-picture.mov';
    const res = await agent.api('POST', '/streams', { id: 'broken', inputs: [{ url: missing }] });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ exitCode: 2, message: expect.stringContaining(missing), stderr: expect.stringContaining(missing) });
    expect((await agent.api('GET', '/health')).status).toBe(200);
    const { body } = await agent.api('GET', '/status');
    expect(body.streams.map((s: { id: string }) => s.id)).toEqual(['clip-1']);
  });

  it('answers 503 when no port block is free', async () => {
    const second = await agent.api('POST', '/streams', { id: 'clip-2', inputs: [{ url: clip }] });
    expect(second.status).toBe(201);
    expect(second.body.port).not.toBe(port);
    const third = await agent.api('POST', '/streams', { id: 'clip-3', inputs: [{ url: clip }] });
    expect(third.status).toBe(503);
    expect(third.body.message).toMatch(/no free port block/);
    expect((await agent.api('DELETE', '/streams/clip-2')).status).toBe(200);
  });

  it('DELETE stops the JIT: its process and port are gone and the status lists no stream', async () => {
    const pid = jitPid(agent.output(), 'clip-1');
    expect(pid).toBeDefined();
    expect(processAlive(pid!)).toBe(true);
    const t0 = Date.now();
    const res = await agent.api('DELETE', '/streams/clip-1');
    console.log(`DELETE /streams/clip-1 → ${res.status} in ${Date.now() - t0} ms`);
    expect(res).toEqual({ status: 200, body: { id: 'clip-1', state: 'exited', exitCode: 0 } });
    expect(processAlive(pid!)).toBe(false);
    expect(await portAnswers(port)).toBe(false);
    const { body } = await agent.api('GET', '/status');
    expect(body.streams).toEqual([]);
    expect(Date.now() - Date.parse(body.idleSince)).toBeLessThan(5000);
    expect((await agent.api('DELETE', '/streams/clip-1')).status).toBe(404);
  });

  it('lists a JIT that ended by itself (technical timeout) as exited, idle since then, until DELETE', async () => {
    const res = await agent.api('POST', '/streams', { id: 'short', inputs: [{ url: clip }], options: { technicalTimeout: 1 } });
    expect(res.status).toBe(201);
    const deadline = Date.now() + 10_000;
    let body: any;
    do {
      await new Promise((r) => setTimeout(r, 200));
      body = (await agent.api('GET', '/status')).body;
    } while (body.streams[0]?.state !== 'exited' && Date.now() < deadline);
    expect(body.streams).toEqual([expect.objectContaining({ id: 'short', state: 'exited', exitCode: 0, port: res.body.port })]);
    expect(body.streams[0].jit).toBeUndefined();
    expect(Date.now() - Date.parse(body.idleSince)).toBeLessThan(2000);
    expect(await portAnswers(res.body.port)).toBe(false);
    expect(await agent.api('DELETE', '/streams/short')).toEqual({ status: 200, body: { id: 'short', state: 'exited', exitCode: 0 } });
    expect((await agent.api('GET', '/status')).body.streams).toEqual([]);
  });

  it('stops every JIT on SIGTERM and exits 0', async () => {
    const res = await agent.api('POST', '/streams', { id: 'clip-4', inputs: [{ url: clip }] });
    expect(res.status).toBe(201);
    const pid = jitPid(agent.output(), 'clip-4')!;
    expect(processAlive(pid)).toBe(true);
    expect(await agent.stop()).toBe(0);
    expect(processAlive(pid)).toBe(false);
    expect(await portAnswers(res.body.port)).toBe(false);
  });
});

describe('agent start-up', () => {
  it('refuses to start without JIT_AGENT_SECRET (exit 2, naming it), unless --insecure', async () => {
    const env = { JIT_AGENT_SECRET: '', JIT_AGENT_RUNTIME: 'process' };
    await expect(startAgent([], env, undefined)).rejects.toThrow(/exited with 2[\s\S]*JIT_AGENT_SECRET: is not set/);
    // runtime auto, and no engine on DOCKER_HOST: child processes
    const open = await startAgent(
      ['--insecure'],
      {
        ...env,
        JIT_AGENT_RUNTIME: 'auto',
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        JIT_CONTAINER_PORT_MIN: '47300',
        JIT_CONTAINER_PORT_MAX: '47399',
      },
      undefined,
    );
    try {
      expect((await open.api('GET', '/status')).status).toBe(200);
      expect(open.output()).toMatch(/"runtime":"process".*"msg":"agent listening"/);
    } finally {
      expect(await open.stop()).toBe(0);
    }
  });
});
