/**
 * JIT_API_TOKEN on a real orchestrator: the REST API (and /metrics, /media) needs the bearer token,
 * probes, the API description and the player page stay open; a session started with the token
 * plays. The agent API of that session's instance refuses a missing or wrong secret.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';
import { type SessionState, stateQuery } from '@jit/workflows/session.contract';

jest.setTimeout(180_000);

const token = randomBytes(24).toString('base64url');
const agentSecret = randomBytes(24).toString('hex');

let temporal: TemporalServer;
let browser: Browser;
let orch: RunningOrchestrator;
let clip: string;

beforeAll(async () => {
  [temporal, browser, clip] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 60 }),
  ]);
  orch = await startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: 'api-token',
    JIT_INSTANCE_AGENT_PORT_MIN: '18804',
    JIT_INSTANCE_AGENT_PORT_MAX: '18805',
    JIT_CONTAINER_PORT_MIN: '20400',
    JIT_CONTAINER_PORT_MAX: '20599',
    JIT_INSTANCE_AGENT_RUNTIME: 'process',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_SPARES: '0',
    JIT_API_TOKEN: token,
    JIT_AGENT_SECRET: agentSecret,
  });
});
afterAll(async () => {
  await orch?.stop();
  await browser?.close();
  await temporal?.stop();
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

it('refuses every API route without the token, or with a wrong one, with 401 and WWW-Authenticate', async () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/session', { inputs: [{ url: clip }] }],
    ['GET', '/sessions'],
    ['GET', '/session/session-2020-01-01-0000000000'],
    ['DELETE', '/session/session-2020-01-01-0000000000'],
    ['POST', '/session/session-2020-01-01-0000000000/restart', {}],
    ['GET', '/metrics'],
    ['GET', '/media'],
  ];
  for (const [method, route, body] of routes) {
    for (const headers of [
      {},
      bearer('wrong-token-of-some-length'),
      bearer(`${token}x`),
      { authorization: token },
      { authorization: `Basic ${token}` },
    ]) {
      const answer = await http(method, `${orch.url}${route}`, body, headers);
      expect([method, route, answer.status]).toEqual([method, route, 401]);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="jit"');
      expect(answer.body.message).toMatch(/JIT_API_TOKEN|wrong API token/);
    }
  }
  expect((await http('GET', `${orch.url}/sessions`, undefined, bearer(token))).status).toBe(200);
  expect((await http('GET', `${orch.url}/sessions`, undefined, { authorization: `bearer ${token}` })).status).toBe(200);
  expect((await http('GET', `${orch.url}/metrics`, undefined, bearer(token))).status).toBe(200);
});

it('keeps the probes, the API description and the player page open', async () => {
  for (const route of ['/health', '/health/live', '/health/ready', '/openapi.json', '/docs', '/']) {
    expect([route, (await fetch(`${orch.url}${route}`)).status]).toEqual([route, 200]);
  }
  const api = (await http('GET', `${orch.url}/openapi.json`)).body;
  expect(api.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(Object.keys(api.paths)).toEqual(expect.arrayContaining(['/metrics', '/health/live', '/health/ready']));
  expect(api.paths['/health'].get.security).toEqual([]);
});

it('starts a session with the token; its agent refuses a missing or wrong secret', async () => {
  const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] }, bearer(token));
  expect([created.status, created.body.state]).toEqual([201, 'running']);
  const { sessionId, jitUrl } = created.body;
  try {
    await playStream(browser, jitUrl, 10);
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
    const state = (await client.workflow.getHandle(sessionId).query(stateQuery)) as SessionState;
    await client.connection.close();
    const agentUrl = state.instance!.agentUrl;
    for (const headers of [{}, bearer('not-the-secret'), bearer(token), { authorization: agentSecret }]) {
      expect((await http('GET', `${agentUrl}/status`, undefined, headers)).status).toBe(401);
      expect((await http('POST', `${agentUrl}/streams`, { id: 'x', inputs: [{ url: clip }] }, headers)).status).toBe(401);
    }
    const status = await http('GET', `${agentUrl}/status`, undefined, bearer(agentSecret));
    expect(status.status).toBe(200);
    expect(status.body.streams.map((s: { id: string }) => s.id)).toEqual([sessionId]);
  } finally {
    expect((await http('DELETE', `${orch.url}/session/${sessionId}`, undefined, bearer(token))).body.state).toBe('ended');
  }
});

it('without JIT_MEDIA_ROOTS takes local files anywhere, and refuses the metadata address and loopback URLs with 400', async () => {
  for (const url of [
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:8080/clip.mov',
    'http://[::1]/clip.mov',
    'http://localhost:18804/status',
    'file://other-host/clip.mov',
  ]) {
    const answer = await http('POST', `${orch.url}/session`, { inputs: [{ url }] }, bearer(token));
    expect([url, answer.status]).toEqual([url, 400]);
    expect(answer.body.message).toContain(`input "${url}"`);
  }
});

it('is not ready while no agent port is free, and says so', async () => {
  const holders: Server[] = [];
  try {
    for (const port of [18804, 18805]) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
      holders.push(server);
    }
    const notReady = await http('GET', `${orch.url}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      status: 'error',
      error: { instanceProvider: { status: 'down' } },
      info: { temporal: { status: 'up' } },
    });
    expect(JSON.stringify(notReady.body.error.instanceProvider)).toMatch(/no free agent port in 18804\.\.18805/);
    expect((await http('GET', `${orch.url}/health`)).status).toBe(200);
  } finally {
    await Promise.all(holders.map((s) => new Promise((r) => s.close(r))));
  }
  expect((await http('GET', `${orch.url}/health/ready`)).body.details.instanceProvider).toMatchObject({
    status: 'up',
    freeAgentPort: 18804,
  });
});
