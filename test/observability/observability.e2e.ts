/**
 * What an operator sees of a real orchestrator (its own Temporal dev server, agents and JITs as
 * child processes): the Prometheus metrics after sessions that end every way (killed, reaped when
 * idle, failed by a JIT killed under it, restarted), JSON log lines carrying the session and
 * workflow id (the orchestrator's, the agent's and the JIT's), and health and readiness, also
 * with Temporal stopped.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { childrenOf } from '../support/process-table';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(300_000);

let temporal: TemporalServer;
let browser: Browser;
let orch: RunningOrchestrator;
let clip: string;

beforeAll(async () => {
  [temporal, browser, clip] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 100 }),
  ]);
  orch = await startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: 'observability',
    JIT_INSTANCE_AGENT_PORT_MIN: '18806',
    JIT_INSTANCE_AGENT_PORT_MAX: '18809',
    JIT_CONTAINER_PORT_MIN: '20600',
    JIT_CONTAINER_PORT_MAX: '20999',
    JIT_INSTANCE_AGENT_RUNTIME: 'process',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_SPARES: '0',
    JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '0.5',
    JIT_INSTANCE_AGENT_STATUS_POLL_MAX_IDLE_TIME: '6',
  });
});
afterAll(async () => {
  await orch?.stop(5000);
  await browser?.close();
  await temporal?.stop();
});

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
async function scrape(): Promise<{ contentType: string | null; samples: Map<string, number> }> {
  const answer = await fetch(`${orch.url}/metrics`);
  expect(answer.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await answer.text()).split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/i.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return { contentType: answer.headers.get('content-type'), samples };
}
const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}
const sessionState = (id: string) => async () => (await http('GET', `${orch.url}/session/${id}`)).body;
const start = async () => {
  const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
  expect([created.status, created.body.state]).toEqual([201, 'running']);
  return created.body as { sessionId: string; jitUrl: string; instance: { id: string } };
};

/** The orchestrator's log lines, parsed (every line must be JSON). */
function orchestratorLines(): Record<string, unknown>[] {
  return orch
    .output()
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a log line that is not JSON: ${line.slice(0, 300)}`);
      }
    });
}

describe('sessions ending every way', () => {
  let before: Map<string, number>;
  let killed: string;
  let idle: string;
  let crashed: string;

  beforeAll(async () => {
    before = (await scrape()).samples;
  });

  it('a session played, restarted and ended: jit_sessions_running counts it while it runs', async () => {
    const session = await start();
    killed = session.sessionId;
    // Temporal's visibility counts a new workflow within moments.
    expect(
      value((await until(scrape, (m) => value(m.samples, 'jit_sessions_running') === 1, 10_000)).samples, 'jit_sessions_running'),
    ).toBe(1);
    await playStream(browser, session.jitUrl, 10);
    const restarted = await http('POST', `${orch.url}/session/${killed}/restart`, { lowres: 1 });
    expect(restarted.status).toBe(201);
    await playStream(browser, restarted.body.jitUrl, 20);
    expect((await http('DELETE', `${orch.url}/session/${killed}`)).body).toMatchObject({ state: 'ended', endReason: 'killed' });
  });

  it('a session whose JIT is killed under it fails, and one nobody watches is reaped when idle', async () => {
    const [a, b] = [await start(), await start()];
    crashed = a.sessionId;
    idle = b.sessionId;
    // The agent process's pid ends its instance id; its JIT is its child.
    const agentPid = Number(a.instance.id.split('-').pop());
    // The provider starts its agents as jit's processes are started (IDLE_PROCESS_NODE_FLAGS).
    expect(
      readFileSync(`/proc/${agentPid}/cmdline`, 'utf8')
        .split('\0')
        .slice(1, 1 + IDLE_PROCESS_NODE_FLAGS.length),
    ).toEqual(IDLE_PROCESS_NODE_FLAGS);
    const jits = childrenOf(agentPid).filter((p) => p.command.includes('/jit/src/main.js'));
    expect(jits).toHaveLength(1);
    process.kill(jits[0].pid, 'SIGKILL');
    expect(await until(sessionState(crashed), (s) => s.state === 'failed')).toMatchObject({ state: 'failed', failedStep: 'watch' });
    expect(await until(sessionState(idle), (s) => s.state === 'ended')).toMatchObject({ state: 'ended', endReason: 'idle' });
  });

  it('/metrics shows each of them (Prometheus text format)', async () => {
    const { contentType, samples } = await until(scrape, (m) => value(m.samples, 'jit_sessions_running') === 0, 20_000);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const moved = (key: string) => value(samples, key) - value(before, key);
    expect(moved('jit_sessions_started_total')).toBe(3);
    expect(moved('jit_sessions_ended_total{reason="killed"}')).toBe(1);
    expect(moved('jit_sessions_ended_total{reason="idle"}')).toBe(1);
    expect(moved('jit_sessions_ended_total{reason="failed"}')).toBe(1);
    expect(moved('jit_sessions_failed_total{step="watch"}')).toBe(1);
    expect(moved('jit_session_restarts_total')).toBe(1);
    expect(moved('jit_stream_exits_total{code="signal"}')).toBe(1);
    expect(moved('jit_session_instance_ready_seconds_count')).toBe(3);
    expect(moved('jit_session_first_frame_seconds_count')).toBe(3);
    // Three starts of about a second or two each on this machine, each well under a minute.
    expect(moved('jit_session_first_frame_seconds_sum')).toBeGreaterThan(0);
    expect(moved('jit_session_first_frame_seconds_bucket{le="60"}')).toBe(3);
    expect(value(samples, 'jit_sessions_running')).toBe(0);
    expect(value(samples, 'jit_temporal_up')).toBe(1);
    expect(value(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('logs JSON lines only, and every line about a session carries its session and workflow id', () => {
    const lines = orchestratorLines();
    for (const id of [killed, idle, crashed]) {
      const about = lines.filter((l) => JSON.stringify(l).includes(id));
      for (const line of about) {
        if (line.sessionId !== id) throw new Error(`a line about ${id} without its sessionId: ${JSON.stringify(line).slice(0, 400)}`);
      }
      const messages = about.filter((l) => l.workflowId === id).map((l) => l.msg);
      expect(messages).toEqual(expect.arrayContaining(['session started', 'instance provisioned', 'stream started', 'session ended']));
    }
    const requests = lines.filter((l) => l.sessionId === killed && (l.req as { url?: string } | undefined)?.url);
    expect(requests.map((l) => `${(l.req as { method: string }).method} ${(l.res as { statusCode: number }).statusCode}`)).toEqual(
      expect.arrayContaining(['POST 201', 'POST 201', 'DELETE 200']),
    );
    // No API token, agent secret or viewer token is ever logged.
    expect(orch.output()).not.toMatch(/authorization|token=/i);
  });

  it("the agent's and the JIT's lines about the session carry its id too", () => {
    const agentLog = readFileSync(path.join('.cache', 'agents', `${killed}.log`), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofSession = agentLog.filter((l) => l.sessionId === killed);
    expect(ofSession.filter((l) => l.name === 'agent').map((l) => l.msg)).toEqual(
      expect.arrayContaining(['JIT starting', 'JIT running', 'stream stopped']),
    );
    expect(ofSession.filter((l) => l.name === 'jit').map((l) => l.msg)).toEqual(expect.arrayContaining(['JIT listening']));
  });
});

describe('health and readiness', () => {
  it('are up with Temporal and the provider, and say what is down when Temporal stops', async () => {
    const ready = await http('GET', `${orch.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: { temporal: { status: 'up' }, instanceProvider: { status: 'up', provider: 'SingleInstanceProvider' } },
    });
    expect((await http('GET', `${orch.url}/health`)).body).toMatchObject({ status: 'ok', info: { temporal: { status: 'up' } } });

    await temporal.stop();
    const notReady = await http('GET', `${orch.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      status: 'error',
      error: { temporal: { status: 'down' } },
      info: { instanceProvider: { status: 'up' } },
    });
    expect((await http('GET', `${orch.url}/health`)).status).toBe(503);
    expect((await http('GET', `${orch.url}/health/live`)).body).toMatchObject({ status: 'ok' });
    const { samples } = await scrape();
    expect(value(samples, 'jit_temporal_up')).toBe(0);
  });
});
