/**
 * Faults of the media plane, with real processes and a real Chromium: the JIT (FFmpeg runs inside
 * it, through node-av: "ffmpeg killed" is the JIT process killed) and the agent killed under a
 * running session, and a viewer whose page crashes without saying goodbye (no DELETE /whep, no
 * DTLS close). Each case checks the state the session reports and that nothing is left running.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPlayer } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startJit } from '../support/jit-process';
import type { RunningOrchestrator } from '../support/orchestrator-process';
import { connect, send, waitForFrame, waitForMessage } from '../support/player';
import { boundPorts, childrenOf } from '../support/process-table';
import { http } from '../support/service-process';
import { eventually } from '../support/eventually';
import { agentPid, FaultRig, sessionWhen } from './fixtures/fault-rig';

jest.setTimeout(180_000);

let rig: FaultRig;
let browser: Browser;
let clip: string;
let orch: RunningOrchestrator;

beforeAll(async () => {
  [rig, browser, clip] = await Promise.all([
    FaultRig.start({ agents: [18910, 18913], media: [16500, 16899] }),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
  orch = await rig.orchestrator({ JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5' });
});
afterAll(async () => {
  await orch?.stop();
  await browser?.close();
  await rig?.stop();
});

/** A session whose stream a page is playing (the page is returned open). */
async function watchedSession(): Promise<{ session: { sessionId: string; jitUrl: string; instance: { id: string } }; page: Page }> {
  const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
  expect([created.status, created.body.state]).toEqual([201, 'running']);
  const page = await openPlayer(browser, new URL(created.body.jitUrl).origin);
  await connect(page, created.body.jitUrl);
  await waitForFrame(page, 0, 10_000);
  await send(page, { type: 'play' });
  return { session: created.body, page };
}

const jitOf = (agent: number) => childrenOf(agent).filter((p) => p.command.includes('/jit/src/main.js'));

it('fails the session clearly when its JIT (FFmpeg in process) is killed, and releases the instance', async () => {
  const { session, page } = await watchedSession();
  try {
    const jits = jitOf(agentPid(session));
    expect(jits).toHaveLength(1);
    process.kill(jits[0].pid, 'SIGKILL');
    const failed = await sessionWhen(orch.url, session.sessionId, (b) => b.state === 'failed' || b.state === 'ended');
    expect(failed).toMatchObject({ state: 'failed', endReason: 'failed', failedStep: 'watch', jitUrl: null });
    expect(failed.lastError).toBe("the stream's JIT exited unexpectedly (killed by a signal)");
  } finally {
    await page.close();
  }
  await rig.expectNothingLeft([session.sessionId]);
});

it('fails the session clearly when its agent is killed, and its JIT goes with it', async () => {
  const { session, page } = await watchedSession();
  try {
    const agent = agentPid(session);
    expect(jitOf(agent)).toHaveLength(1);
    process.kill(agent, 'SIGKILL');
    const failed = await sessionWhen(orch.url, session.sessionId, (b) => b.state === 'failed' || b.state === 'ended');
    expect(failed).toMatchObject({ state: 'failed', endReason: 'failed', failedStep: 'watch', jitUrl: null });
    expect(failed.lastError).toMatch(new RegExp(`^the instance ${session.instance.id} is gone: its agent stopped answering`));
  } finally {
    await page.close();
  }
  // The orphaned JIT sees its agent's IPC channel close and shuts down.
  await rig.expectNothingLeft([session.sessionId]);
});

it('notices a viewer whose page crashed (no DELETE, no goodbye) and exits after the technical timeout', async () => {
  const media: [number, number] = [16900, 16999];
  const jit = await startJit(['-i', clip, '--technical-timeout', '3'], {
    JIT_CONTAINER_PORT_MIN: String(media[0]),
    JIT_CONTAINER_PORT_MAX: String(media[1]),
  });
  let page: Page | undefined;
  try {
    page = await openPlayer(browser, jit.url);
    await connect(page);
    await waitForFrame(page, 0, 10_000);
    await send(page, { type: 'play' });
    await waitForMessage(page, "m.type === 'frame' && m.frame >= 10", 10_000);
    const status = async () => (await http('GET', `${jit.url}/status`)).body;
    expect((await status()).viewers).toBe(1);

    // The renderer dies: its sockets close silently, as a tab killed by the OS or a lost network.
    const cdp = await page.context().newCDPSession(page);
    const crashed = Date.now();
    // (No answer comes back from a page that crashed: not awaited.)
    void cdp.send('Page.crash').catch(() => undefined);
    const after = await eventually(status, (s) => s.viewers === 0, 45_000, 200);
    const noticedMs = Date.now() - crashed;
    expect(after.viewers).toBe(0);
    // ICE consent freshness (RFC 7675): consent expires 30 s after the last answered check.
    expect(noticedMs).toBeLessThan(40_000);
    const code = await Promise.race([jit.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000).unref())]);
    expect(code).toBe(0);
    expect(jit.output()).toMatch(/no viewer within the technical timeout: exiting/);
    expect(boundPorts(...media)).toEqual([]);
  } finally {
    // A crashed page may never answer its close.
    await Promise.race([page?.close(), new Promise((r) => setTimeout(r, 5000).unref())]).catch(() => undefined);
    await jit.stop();
  }
});
