/**
 * Sessions over the REST API, each a workflow on a real Temporal dev server, with real agent and
 * JIT processes, played in Chromium.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { eventually } from '../support/eventually';
import { http } from '../support/service-process';
import { playStream } from '../support/player';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(180_000);

let temporal: TemporalServer;
let client: Client;
let browser: Browser;
let clip: string;

beforeAll(async () => {
  [temporal, browser, clip] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
});
afterAll(async () => {
  await browser?.close();
  await client?.connection.close();
  await temporal?.stop();
});

/** An orchestrator on the test's Temporal server; agents and media on port ranges of its own. */
function orchestrator(env: NodeJS.ProcessEnv, agentPorts: [number, number], mediaPorts: number): Promise<RunningOrchestrator> {
  return startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: `sessions-${agentPorts[0]}`,
    JIT_INSTANCE_AGENT_PORT_MIN: String(agentPorts[0]),
    JIT_INSTANCE_AGENT_PORT_MAX: String(agentPorts[1]),
    // Below the kernel's ephemeral ports (32768+), which other programs' connections take at random.
    JIT_CONTAINER_PORT_MIN: String(mediaPorts),
    JIT_CONTAINER_PORT_MAX: String(mediaPorts + 999),
    JIT_AGENT_RUNTIME: 'process',
    ...env,
  });
}

/** Whether a process runs (a zombie, ended but not reaped by a parent that died, does not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('a session, start to end', () => {
  let orch: RunningOrchestrator;
  beforeAll(async () => {
    orch = await orchestrator({ JIT_CAPACITY: '2', JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1' }, [18181, 18189], 21000);
  });
  afterAll(async () => orch?.stop());

  it('plays in Chromium, is listed, restarts, and ends with nothing left running', async () => {
    const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip, id: 'picture' }] });
    expect(created.status).toBe(201);
    const session = created.body;
    expect(session).toMatchObject({ state: 'running', iceServers: [], restarts: 0 });
    expect(session.sessionId).toMatch(/^session-\d{4}-\d{2}-\d{2}-[0-9a-f]{10}$/);
    expect(session.jitUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/whep\?token=[\w-]{32}$/);
    await playStream(browser, session.jitUrl, 120);

    expect((await http('GET', `${orch.url}/sessions`)).body.map((s: { sessionId: string }) => s.sessionId)).toContain(session.sessionId);
    const shown = await http('GET', `${orch.url}/session/${session.sessionId}`);
    expect(shown.body).toMatchObject({ state: 'running', instance: { id: session.instance.id } });
    expect(shown.body.timings.runningAt).toEqual(expect.any(String));

    const restarted = await http('POST', `${orch.url}/session/${session.sessionId}/restart`, { lowres: 1 });
    expect(restarted.status).toBe(201);
    expect(restarted.body).toMatchObject({ state: 'running', restarts: 1 });
    await playStream(browser, restarted.body.jitUrl, 33);

    const pid = Number(session.instance.id.split('-').pop());
    expect(alive(pid)).toBe(true);
    const ended = await http('DELETE', `${orch.url}/session/${session.sessionId}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended', endReason: 'killed', jitUrl: null });
    expect(alive(pid)).toBe(false);
    await expect(fetch(new URL('/health', restarted.body.jitUrl))).rejects.toThrow();

    const handle = client.workflow.getHandle(session.sessionId);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual([
      'provisionInstance',
      'waitInstanceReady',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'waitAgentIdle',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'releaseInstance',
    ]);
  });

  it('answers bad requests clearly and disturbs nothing', async () => {
    const noInputs = await http('POST', `${orch.url}/session`, { inputs: [] });
    expect(noInputs.status).toBe(400);
    expect(noInputs.body.message).toMatch(/inputs/);
    const badWidth = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }], width: -4 });
    expect(badWidth.status).toBe(400);
    expect(badWidth.body.message).toMatch(/width/);
    const unknownField = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }], shell: 'rm -rf /' });
    expect(unknownField.status).toBe(400);
    expect((await http('POST', `${orch.url}/session`, '{not json')).status).toBe(400);
    expect((await http('GET', `${orch.url}/session/session-2020-01-01-0000000000`)).status).toBe(404);
    expect((await http('DELETE', `${orch.url}/session/session-2020-01-01-0000000000`)).status).toBe(404);
    expect((await http('GET', `${orch.url}/session/..%2F..%2Fetc`)).status).toBe(404);

    const missing = path.join(path.dirname(clip), 'no-such-clip.mov');
    expect(existsSync(missing)).toBe(false);
    const failed = await http('POST', `${orch.url}/session`, { inputs: [{ url: missing }] });
    expect(failed.status).toBe(422);
    expect(failed.body.message).toContain(`input ${missing}: no readable file`);
    expect(failed.body.session).toMatchObject({ state: 'failed', failedStep: 'stream', endReason: 'failed' });
    const pid = Number(failed.body.session.instance.id.split('-').pop());
    expect(
      await eventually(
        async () => alive(pid),
        (a) => !a,
      ),
    ).toBe(false);
    expect((await http('GET', `${orch.url}/health`)).body).toMatchObject({ status: 'ok', info: { temporal: { status: 'up' } } });
  });

  it('admits exactly JIT_CAPACITY of many sessions requested at the same moment', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => http('POST', `${orch.url}/session?wait=false`, { inputs: [{ url: clip }] })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(2);
    expect(answers.filter((a) => a.status === 503)).toHaveLength(3);
    for (const a of accepted) {
      await eventually(
        () => http('GET', `${orch.url}/session/${a.body.sessionId}`),
        (r) => r.body.state === 'running',
      );
      expect((await http('DELETE', `${orch.url}/session/${a.body.sessionId}`)).body.state).toBe('ended');
    }
  });

  it('serves its OpenAPI description, generated from the schemas that validate requests', async () => {
    const { status, body } = await http('GET', `${orch.url}/openapi.json`);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/session', '/sessions', '/session/{id}', '/session/{id}/restart', '/health']),
    );
    expect(body.components.schemas.SessionRequest.required).toEqual(['inputs']);
    expect(body.components.schemas.SessionRequest.properties.width).toMatchObject({ type: 'integer', minimum: 16 });
    expect((await http('GET', `${orch.url}/docs`)).status).toBe(200);
  });

  it('refuses a session over JIT_CAPACITY with 503 and Retry-After while the others play on', async () => {
    const first = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    const second = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    expect([first.status, second.status]).toEqual([201, 201]);
    const third = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('10');
    expect(third.body.message).toMatch(/capacity reached: 2 of 2/);
    await playStream(browser, first.body.jitUrl, 10);
    await playStream(browser, second.body.jitUrl, 20);
    for (const s of [first, second]) expect((await http('DELETE', `${orch.url}/session/${s.body.sessionId}`)).body.state).toBe('ended');
    const again = await http('POST', `${orch.url}/session?wait=false`, { inputs: [{ url: clip }] });
    expect(again.status).toBe(202);
    expect(again.body.sessionId).toMatch(/^session-/);
    const running = await eventually(
      () => http('GET', `${orch.url}/session/${again.body.sessionId}`),
      (r) => r.body.state === 'running',
    );
    expect(running.body.jitUrl).toMatch(/\/whep\?token=/);
    expect((await http('DELETE', `${orch.url}/session/${again.body.sessionId}`)).body.state).toBe('ended');
  });
});

describe('capacity across replicas', () => {
  it('admits JIT_CAPACITY sessions in all between two orchestrators asked at the same moment, and frees a slot when a session ends', async () => {
    // An odd capacity: replicas that each counted on their own would both admit the third.
    const shared = { JIT_CAPACITY: '3', TEMPORAL_TASK_QUEUE: 'sessions-replicas' };
    const [a, b] = await Promise.all([
      orchestrator({ ...shared, JIT_CONTAINER_PORT_MAX: '32299' }, [18202, 18204], 32000),
      orchestrator({ ...shared, JIT_CONTAINER_PORT_MAX: '32599' }, [18205, 18207], 32300),
    ]);
    try {
      const ask = (o: RunningOrchestrator) => http('POST', `${o.url}/session?wait=false`, { inputs: [{ url: clip }] });
      const answers = await Promise.all([a, b, a, b, a, b, a, b].map(ask));
      const accepted = answers.filter((r) => r.status === 202);
      expect(accepted).toHaveLength(3);
      expect(answers.filter((r) => r.status === 503)).toHaveLength(5);
      const [first, ...others] = accepted.map((r) => r.body.sessionId as string);
      // Either replica shows and ends any session: both read the same workflows.
      expect(
        (
          await eventually(
            () => http('GET', `${b.url}/session/${first}`),
            (r) => r.body.state === 'running',
          )
        ).body.state,
      ).toBe('running');
      expect((await http('DELETE', `${a.url}/session/${first}`)).body.state).toBe('ended');
      const next = await ask(b);
      expect(next.status).toBe(202);
      expect((await ask(a)).status).toBe(503);
      for (const id of [...others, next.body.sessionId]) expect((await http('DELETE', `${a.url}/session/${id}`)).body.state).toBe('ended');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('sessions that end by themselves', () => {
  it('reaps an idle session and one past its maximum up time, releasing their instances', async () => {
    const orch = await orchestrator(
      { JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5', JIT_INSTANCE_AGENT_STATUS_POLL_MAX_IDLE_TIME: '2' },
      [18191, 18195],
      22000,
    );
    const short = await orchestrator(
      { JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5', JIT_INSTANCE_AGENT_STATUS_POLL_MAX_UP_TIME: '4' },
      [18196, 18199],
      23000,
    );
    try {
      const idle = (await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] })).body;
      const old = (await http('POST', `${short.url}/session`, { inputs: [{ url: clip }] })).body;
      expect([idle.state, old.state]).toEqual(['running', 'running']);
      const read = (o: RunningOrchestrator, s: { sessionId: string }) => async () =>
        (await http('GET', `${o.url}/session/${s.sessionId}`)).body;
      const idleEnd = await eventually(read(orch, idle), (b) => b.state === 'ended', 30_000);
      expect(idleEnd).toMatchObject({ state: 'ended', endReason: 'idle' });
      const oldEnd = await eventually(read(short, old), (b) => b.state === 'ended', 30_000);
      expect(oldEnd).toMatchObject({ state: 'ended', endReason: 'max-uptime' });
      for (const s of [idle, old]) expect(alive(Number(s.instance.id.split('-').pop()))).toBe(false);
    } finally {
      await Promise.all([orch.stop(), short.stop()]);
    }
  });

  it('fails a session whose instance never becomes ready, and releases it (provider loaded by path)', async () => {
    const orch = await orchestrator(
      {
        JIT_INSTANCE_PROVIDER_CLASS_PATH: path.join(__dirname, 'fixtures', 'never-ready-provider.js'),
        JIT_INSTANCE_READY_TIMEOUT: '2',
      },
      [18200, 18201],
      24000,
    );
    try {
      const started = Date.now();
      const failed = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
      expect(failed.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(failed.body.session).toMatchObject({ state: 'failed', failedStep: 'instance', endReason: 'failed' });
      expect(failed.body.message).toMatch(/timed out|timeout/i);
      const pid = Number(failed.body.session.instance.id.replace('never-', ''));
      expect(alive(pid)).toBe(false);
    } finally {
      await orch.stop();
    }
  });
});

describe('durability', () => {
  it('reaps a session on time after its orchestrator was killed and started again, leaving nothing running', async () => {
    const env = { JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5', JIT_INSTANCE_AGENT_STATUS_POLL_MAX_IDLE_TIME: '6' };
    const first = await orchestrator(env, [18210, 18214], 25000);
    const session = (await http('POST', `${first.url}/session`, { inputs: [{ url: clip }] })).body;
    expect(session.state).toBe('running');
    await playStream(browser, session.jitUrl, 5);
    first.process.kill('SIGKILL');
    await first.stop();
    const agentPid = Number(session.instance.id.split('-').pop());
    expect(alive(agentPid)).toBe(true);

    const second = await orchestrator(env, [18210, 18214], 25000);
    try {
      const ended = await eventually(
        async () => (await http('GET', `${second.url}/session/${session.sessionId}`)).body,
        (b) => b.state === 'ended',
        60_000,
      );
      expect(ended).toMatchObject({ state: 'ended', endReason: 'idle' });
      expect(alive(agentPid)).toBe(false);
      await expect(fetch(new URL('/health', session.jitUrl))).rejects.toThrow();
    } finally {
      await second.stop();
    }
  });
});
