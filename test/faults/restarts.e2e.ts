/**
 * Faults of the control plane, with real processes: the session worker killed mid-session and
 * started again, the Temporal dev server restarted on its SQLite file, the orchestrator killed
 * with sessions running. The orchestrator runs without a worker (`--no-worker`) and the worker on
 * its own (apps/worker), as they are deployed apart. Each case plays the stream before and after
 * the fault (nothing lost), ends its sessions with DELETE, and checks that nothing is left: no
 * agent or JIT process, no port bound, no session workflow running.
 * (The orchestrator with its worker inside, killed and started again, reaping an idle session on
 * time: test/orchestrator/sessions.e2e.ts, "durability".)
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import type { RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { http } from '../support/service-process';
import type { RunningWorker } from '../support/worker-process';
import { eventually } from '../support/eventually';
import { FaultRig, sessionWhen } from './fixtures/fault-rig';

jest.setTimeout(240_000);

let rig: FaultRig;
let browser: Browser;
let clip: string;
let orch: RunningOrchestrator;
let worker: RunningWorker;

// Watch heartbeats time out after max(10 s, 3 × the poll interval): a dead worker's watch moves on after 10 s.
const settings = { JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5', JIT_ORCHESTRATOR_WORKER: 'false' };

beforeAll(async () => {
  [rig, browser, clip] = await Promise.all([
    FaultRig.start({ agents: [18900, 18904], media: [16000, 16499] }),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
  [worker, orch] = await Promise.all([rig.worker(settings), rig.orchestrator(settings)]);
});
afterAll(async () => {
  await Promise.all([orch?.stop(), worker?.stop()]);
  await browser?.close();
  await rig?.stop();
});

const start = async () => {
  const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
  expect([created.status, created.body.state]).toEqual([201, 'running']);
  return created.body as { sessionId: string; jitUrl: string; instance: { id: string } };
};

const end = async (sessionId: string) => {
  const ended = await http('DELETE', `${orch.url}/session/${sessionId}`);
  expect([ended.status, ended.body.state, ended.body.endReason]).toEqual([200, 'ended', 'killed']);
};

it('keeps sessions listed, playing and endable when the orchestrator is killed and started again', async () => {
  const sessions = [await start(), await start()];
  await playStream(browser, sessions[0].jitUrl, 30);
  orch.process.kill('SIGKILL');
  await orch.exited;
  // Nothing the sessions need went with it: their streams still play.
  await playStream(browser, sessions[1].jitUrl, 40);

  orch = await rig.orchestrator(settings);
  const listed = (await http('GET', `${orch.url}/sessions`)).body.map((s: { sessionId: string }) => s.sessionId);
  expect(listed.sort()).toEqual(sessions.map((s) => s.sessionId).sort());
  for (const s of sessions) {
    const shown = await http('GET', `${orch.url}/session/${s.sessionId}`);
    expect(shown.body).toMatchObject({ state: 'running', jitUrl: s.jitUrl, instance: { id: s.instance.id } });
    await playStream(browser, s.jitUrl, 50);
  }
  await Promise.all(sessions.map((s) => end(s.sessionId)));
  await rig.expectNothingLeft(sessions.map((s) => s.sessionId));
});

it('keeps a session playing while its worker is dead, and resumes watching it on a new worker', async () => {
  const session = await start();
  await playStream(browser, session.jitUrl, 20);
  worker.process.kill('SIGKILL');
  await worker.exited;
  // The agent and its JIT are not the worker's to take along: the stream plays on.
  expect(rig.strays()).toHaveLength(2);
  await playStream(browser, session.jitUrl, 60);

  worker = await rig.worker(settings);
  expect((await http('GET', `${orch.url}/session/${session.sessionId}`)).body).toMatchObject({ state: 'running', jitUrl: session.jitUrl });
  // The dead worker's watch times out on its heartbeat and runs again on the new worker.
  const handle = rig.client.workflow.getHandle(session.sessionId);
  const watch = await eventually(
    async () => (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'watchStream'),
    // state 2: PENDING_ACTIVITY_STATE_STARTED (picked up by a worker)
    (a) => Number(a?.attempt) >= 2 && Number(a?.state) === 2,
    40_000,
  );
  expect(Number(watch?.attempt)).toBeGreaterThanOrEqual(2);
  await playStream(browser, session.jitUrl, 70);
  await end(session.sessionId);
  await rig.expectNothingLeft([session.sessionId]);
});

it('carries sessions through a restart of the Temporal server (SQLite kept)', async () => {
  const before = await start();
  await playStream(browser, before.jitUrl, 25);
  await rig.temporal.restart();
  await playStream(browser, before.jitUrl, 45);

  // The orchestrator and the worker reconnect by themselves.
  const shown = await sessionWhen(orch.url, before.sessionId, (b) => b.state === 'running', 60_000);
  expect(shown).toMatchObject({ state: 'running', jitUrl: before.jitUrl });
  const listed = await eventually(
    async () => (await http('GET', `${orch.url}/sessions`)).body,
    (b) => Array.isArray(b) && b.length === 1,
    30_000,
  );
  expect(listed.map((s: { sessionId: string }) => s.sessionId)).toEqual([before.sessionId]);
  const after = await start();
  await playStream(browser, after.jitUrl, 10);
  await Promise.all([end(before.sessionId), end(after.sessionId)]);
  await rig.expectNothingLeft([before.sessionId, after.sessionId]);
});
