import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import type { Instance, InstanceProvider } from '@jit/providers';
import type { AgentStatus, AgentStreamStatus, JitStatus } from '@jit/protocol';
import { viewerToken } from '@jit/security';
import { SessionActivities } from './session-activities';

const SECRET = 'unit-secret';

/** An agent's HTTP API on loopback, answering from `state`; every request is recorded. */
class FakeAgent {
  healthy = true;
  streams: AgentStreamStatus[] = [];
  /** Answer to POST /streams: a status and body. */
  startAnswer: { status: number; body: unknown } = { status: 201, body: { id: 's', port: 41000, runtime: 'process' } };
  readonly requests: string[] = [];
  /** The body of the last POST /streams. */
  started: Record<string, unknown> | undefined;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.url === '/health') return send(this.healthy ? 200 : 503, { status: this.healthy ? 'ok' : 'down' });
      if (req.headers.authorization !== `Bearer ${SECRET}`) return send(401, { message: 'wrong secret' });
      if (req.method === 'GET' && req.url === '/status') {
        const status: AgentStatus = { upSince: new Date(0).toISOString(), idleSince: null, streams: this.streams };
        return send(200, status);
      }
      if (req.method === 'POST' && req.url === '/streams') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk));
        req.on('end', () => {
          this.started = JSON.parse(body) as Record<string, unknown>;
          send(this.startAnswer.status, this.startAnswer.body);
        });
        return;
      }
      if (req.method === 'DELETE') return send(204);
      send(404, { message: 'no such route' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const jitStatus = (state: JitStatus['state'], idleSeconds: number): JitStatus =>
  ({
    state,
    frame: 0,
    in: null,
    out: null,
    loop: false,
    viewers: state === 'idle' ? 0 : 1,
    idleSeconds,
    uptimeSeconds: 100,
    viewerList: [],
    media: {
      video: {
        url: '/m.mov',
        codec: 'prores',
        width: 1920,
        height: 1080,
        sourceRate: { num: 25, den: 1 },
        sampleAspect: { num: 1, den: 1 },
        frameCount: 250,
      },
      audio: [],
      output: { width: 1920, height: 1080, frameRate: { num: 25, den: 1 }, frameCount: 250 },
    },
    startTimecode: { timecode: '00:00:00:00', rate: { num: 25, den: 1 }, dropFrame: false },
    nextViewerReady: true,
  }) as JitStatus;

const stream = (state: AgentStreamStatus['state'], extra: Partial<AgentStreamStatus> = {}): AgentStreamStatus => ({
  id: 'session-1',
  state,
  runtime: 'process',
  port: 41000,
  whepPath: '/whep',
  startedAt: new Date(0).toISOString(),
  ...extra,
});

/** The failure an activity threw: its message and whether Temporal may retry it. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => ({ message: (error as Error).message, retryable: !(error instanceof ApplicationFailure && error.nonRetryable) }),
  );

describe('SessionActivities against an agent', () => {
  const agent = new FakeAgent();
  let instance: Instance;
  let alive = true;
  const released: string[] = [];
  const provider: InstanceProvider = {
    provision: async (sessionId) => ({ ...instance, id: `i-${sessionId}` }),
    release: async (i) => void released.push(i.id),
    isAlive: async () => alive,
  };
  const activities = new SessionActivities(provider, SECRET, pino({ level: 'silent' }));
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment({ activityType: fn.name, workflowExecution: { workflowId: 'session-7', runId: 'run-1' } }).run(
      fn.bind(activities),
      ...args,
    );

  beforeAll(async () => {
    instance = { id: 'i-1', provider: 'test', agentUrl: await agent.start(), streamHost: '127.0.0.1', details: {} };
  });
  afterAll(() => agent.stop());
  beforeEach(() => {
    alive = true;
    agent.healthy = true;
    agent.streams = [];
    agent.requests.length = 0;
  });

  it('waits for the agent to answer, and fails for good when its instance stopped first', async () => {
    await expect(run(activities.waitInstanceReady, instance)).resolves.toBeUndefined();
    agent.healthy = false;
    alive = false;
    expect(await failure(run(activities.waitInstanceReady, instance))).toEqual({
      message: 'instance i-1 stopped before its agent answered',
      retryable: false,
    });
  });

  it('starts a stream with the session id and its viewer token, and answers its port', async () => {
    agent.startAnswer = { status: 201, body: { id: 'session-1', port: 41234, runtime: 'process' } };
    await expect(
      run(activities.startStream, instance, 'session-1', { inputs: [{ url: '/m.mov' }], options: { lowres: 1 } }),
    ).resolves.toEqual({ port: 41234 });
    expect(agent.requests).toEqual(['POST /streams']);
    // The session is the workflow; its JIT takes only viewers with the token derived from it.
    expect(agent.started).toMatchObject({
      id: 'session-1',
      inputs: [{ url: '/m.mov' }],
      options: { lowres: 1 },
      sessionId: 'session-7',
      viewerToken: viewerToken(SECRET, 'session-7'),
    });
  });

  it('does not retry a start the agent refused as bad input, but does retry its 503', async () => {
    agent.startAnswer = { status: 400, body: { message: 'input 1: no such file' } };
    expect(await failure(run(activities.startStream, instance, 'session-1', { inputs: [{ url: '/x.mov' }], options: {} }))).toEqual({
      message: 'agent POST /streams: 400 input 1: no such file',
      retryable: false,
    });
    agent.startAnswer = { status: 503, body: { message: 'no free port' } };
    expect(await failure(run(activities.startStream, instance, 'session-1', { inputs: [{ url: '/x.mov' }], options: {} }))).toMatchObject({
      retryable: true,
    });
  });

  it('waits until the stream runs; one that exited first fails for good with its exit code', async () => {
    agent.streams = [stream('running')];
    await expect(run(activities.waitStreamRunning, instance, 'session-1')).resolves.toBeUndefined();
    agent.streams = [stream('exited', { exitCode: 2 })];
    expect(await failure(run(activities.waitStreamRunning, instance, 'session-1'))).toEqual({
      message: 'stream session-1 ended before it ran (exit code 2)',
      retryable: false,
    });
  });

  it('watches: a paused stream past the idle limit is idle, a playing one never is, an exited one says its exit code', async () => {
    agent.streams = [stream('running', { jit: jitStatus('paused', 700) })];
    await expect(run(activities.watchStream, instance, 'session-1', 0.01, 600)).resolves.toEqual({ reason: 'idle', idleSeconds: 700 });
    agent.streams = [stream('exited', { exitCode: 0 })];
    await expect(run(activities.watchStream, instance, 'session-1', 0.01, 600)).resolves.toEqual({ reason: 'stream-exited', exitCode: 0 });

    const env = new MockActivityEnvironment();
    agent.streams = [stream('running', { jit: jitStatus('playing', 700) })];
    const watching = failure(env.run(activities.watchStream.bind(activities), instance, 'session-1', 0.01, 600));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.requests.filter((r) => r === 'GET /status').length).toBeGreaterThan(2);
    env.cancel();
    expect(await watching).toMatchObject({ retryable: true });
  });

  it('fails the watch for good when the agent stops answering and its instance is gone', async () => {
    const gone = { ...instance, agentUrl: 'http://127.0.0.1:1' };
    alive = false;
    expect(await failure(run(activities.watchStream, gone, 'session-1', 0.01, 600))).toMatchObject({
      message: expect.stringMatching(/^the instance i-1 is gone: its agent stopped answering/),
      retryable: false,
    });
  });

  it('stops a stream only on a live instance, waits for the agent to be idle, releases through the provider', async () => {
    await run(activities.stopStream, instance, 'session-1');
    expect(agent.requests).toEqual(['DELETE /streams/session-1']);
    alive = false;
    await run(activities.stopStream, instance, 'session-1');
    expect(agent.requests).toHaveLength(1);

    agent.streams = [stream('exited', { exitCode: 0 })];
    await expect(run(activities.waitAgentIdle, instance)).resolves.toBeUndefined();
    await run(activities.releaseInstance, instance);
    expect(released).toEqual(['i-1']);
  });
});
