/**
 * `--turn`: the orchestrator supervises coturn and hands each session short-lived TURN
 * credentials; Chromium, allowed only relayed candidates, plays a session through it, and an
 * expired credential gets no relay.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Browser, Page } from 'playwright-core';
import { stunAnswers } from '../../apps/orchestrator/src/turn/stun-probe';
import { launchBrowser, openPlayer, saveScreenshot } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { connect, disconnect, seekAndWait, waitForFrame, type ConnectOptions } from '../support/player';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(180_000);

const SECRET = 'turn-test-secret-0123456789';
const TURN_PORT = 19478;
const TURNS_PORT = 19479;
const TTL_S = 900;

let temporal: TemporalServer;
let browser: Browser;
let clip: string;
let dataDir: string;
let certDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'jit-turn-'));
  certDir = mkdtempSync(path.join(tmpdir(), 'jit-turn-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=turn.test',
      '-keyout',
      path.join(certDir, 'key.pem'),
      '-out',
      path.join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  [temporal, browser, clip] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await temporal?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(certDir, { recursive: true, force: true });
});

/**
 * This machine's external IPv4 addresses: iceServers announce one by default. coturn relays from
 * the address a client reached it on; the JITs' media sockets answer from the same one, which
 * coturn counts as its own (a "loopback" peer), hence JIT_TURN_ALLOW_LOOPBACK_PEERS.
 */
const externalAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && a.family === 'IPv4' && !a.internal)
  .map((a) => a!.address);

/** An orchestrator with --turn on the test's ports. */
function orchestrator(env: NodeJS.ProcessEnv = {}): Promise<RunningOrchestrator> {
  return startOrchestrator(
    {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: 'turn-sessions',
      JIT_INSTANCE_AGENT_PORT_MIN: '18600',
      JIT_INSTANCE_AGENT_PORT_MAX: '18609',
      JIT_CONTAINER_PORT_MIN: '29000',
      JIT_CONTAINER_PORT_MAX: '29999',
      JIT_AGENT_RUNTIME: 'process',
      JIT_INSTANCE_AGENT_RUNTIME: 'process',
      JIT_TURN_SECRET: SECRET,
      JIT_TURN_DATA_DIR: dataDir,
      JIT_TURN_PORT: String(TURN_PORT),
      JIT_TURN_RELAY_PORT_MIN: '30000',
      JIT_TURN_RELAY_PORT_MAX: '30999',
      JIT_TURN_ALLOW_LOOPBACK_PEERS: 'true',
      JIT_TURN_CREDENTIAL_TTL: String(TTL_S),
      JIT_TURN_TLS_PORT: String(TURNS_PORT),
      JIT_TURN_TLS_CERT: path.join(certDir, 'cert.pem'),
      JIT_TURN_TLS_KEY: path.join(certDir, 'key.pem'),
      ...env,
    },
    ['--turn'],
  );
}

const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** The pids coturn was started with, in the orchestrator's log order. */
const turnPids = (orch: RunningOrchestrator) =>
  [...orch.output().matchAll(/"turnserverPid":(\d+)[^\n]*"msg":"TURN server started"/g)].map((m) => Number(m[1]));

type IceServers = NonNullable<ConnectOptions['iceServers']>;

/**
 * Gathers candidates in the page with only relayed ones allowed: the relay candidates it got and
 * the errors the TURN server answered (RTCPeerConnectionIceErrorEvent).
 */
function gatherRelay(page: Page, iceServers: IceServers): Promise<{ relay: string[]; errors: { code: number; text: string }[] }> {
  return page.evaluate(async (servers) => {
    const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
    const relay: string[] = [];
    const errors: { code: number; text: string }[] = [];
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate?.type === 'relay') relay.push(e.candidate.address ?? '');
    });
    pc.addEventListener('icecandidateerror', (e) =>
      errors.push({ code: (e as RTCPeerConnectionIceErrorEvent).errorCode, text: (e as RTCPeerConnectionIceErrorEvent).errorText }),
    );
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    pc.close();
    return { relay, errors };
  }, iceServers);
}

/** The local and remote candidate types of the pair the page's connection selected. */
function selectedPair(page: Page): Promise<{ local: string; remote: string; localAddress: string } | null> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { probe: { pc: RTCPeerConnection } }).probe.pc;
    const report = await pc.getStats();
    const byId = new Map<string, any>();
    report.forEach((s) => byId.set(s.id, s));
    const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = transport ? byId.get(transport.selectedCandidatePairId) : undefined;
    if (!pair) return null;
    const local = byId.get(pair.localCandidateId);
    const remote = byId.get(pair.remoteCandidateId);
    return { local: local.candidateType, remote: remote.candidateType, localAddress: `${local.address}:${local.port}` };
  });
}

const expiryOf = (username: string) => Number(username.split(':')[0]);

describe('with --turn', () => {
  let orch: RunningOrchestrator;
  beforeAll(async () => {
    orch = await orchestrator();
  });
  afterAll(async () => orch?.stop());

  it('hands a session STUN and short-lived TURN credentials, fresh on every GET, and Chromium plays it relayed', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    expect(created.status).toBe(201);
    const { sessionId, jitUrl, iceServers } = created.body as { sessionId: string; jitUrl: string; iceServers: IceServers };
    const host = new URL(iceServers[0].urls[0].replace(/^stun:/, 'stun://')).hostname;
    expect(externalAddresses).toContain(host);
    expect(iceServers[0]).toEqual({ urls: [`stun:${host}:${TURN_PORT}`] });
    const turn = iceServers[1];
    expect(turn.urls).toEqual([
      `turn:${host}:${TURN_PORT}?transport=udp`,
      `turn:${host}:${TURN_PORT}?transport=tcp`,
      `turns:${host}:${TURNS_PORT}?transport=tcp`,
    ]);
    expect(turn.username).toMatch(new RegExp(`^\\d+:${sessionId}$`));
    expect(expiryOf(turn.username!)).toBeGreaterThanOrEqual(before + TTL_S);
    expect(expiryOf(turn.username!)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + TTL_S);
    expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username!).digest('base64'));

    await new Promise((r) => setTimeout(r, 1100));
    const shown = await http('GET', `${orch.url}/session/${sessionId}`);
    expect(expiryOf(shown.body.iceServers[1].username)).toBeGreaterThan(expiryOf(turn.username!));

    const page = await openPlayer(browser, new URL(jitUrl).origin);
    try {
      await connect(page, jitUrl, { iceServers: shown.body.iceServers, iceTransportPolicy: 'relay' });
      await waitForFrame(page, 0, 10_000);
      await seekAndWait(page, 150, 10_000);
      const pair = await selectedPair(page);
      expect(pair).toMatchObject({ local: 'relay' });
      // The relayed address is coturn's, in its relay port range.
      expect(Number(pair!.localAddress.split(':').pop())).toBeGreaterThanOrEqual(30000);
      expect(Number(pair!.localAddress.split(':').pop())).toBeLessThanOrEqual(30999);
      await saveScreenshot(page, 'turn-relayed-session');
      await disconnect(page);
    } finally {
      await page.close();
    }
    expect((await http('DELETE', `${orch.url}/session/${sessionId}`)).body).toMatchObject({ state: 'ended', iceServers: [] });
  });

  it('serves TURN over TLS on its own port with the configured certificate', async () => {
    const presented = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: externalAddresses[0], port: TURNS_PORT, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate()!.fingerprint256);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(new X509Certificate(readFileSync(path.join(certDir, 'cert.pem'))).fingerprint256);
  });

  it('refuses an expired credential: Chromium gets no relay, coturn answers 401', async () => {
    const page = await browser.newPage();
    try {
      const urls = [`turn:${externalAddresses[0]}:${TURN_PORT}?transport=udp`];
      const credential = (expiry: number) => {
        const username = `${expiry}:session-expired`;
        return { urls, username, credential: createHmac('sha1', SECRET).update(username).digest('base64') };
      };
      const now = Math.floor(Date.now() / 1000);
      const fresh = await gatherRelay(page, [credential(now + 60)]);
      expect(fresh.relay).toEqual([externalAddresses[0]]);
      const expired = await gatherRelay(page, [credential(now - 60)]);
      expect(expired.relay).toEqual([]);
      expect(expired.errors.map((e) => e.code)).toContain(401);
      const forged = await gatherRelay(page, [{ ...credential(now + 60), credential: 'bm90IHRoZSBzZWNyZXQ=' }]);
      expect(forged.relay).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('restarts coturn when it dies, and stops it with the orchestrator', async () => {
    const [first] = turnPids(orch);
    expect(alive(first)).toBe(true);
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    while (turnPids(orch).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const second = turnPids(orch)[1];
    expect(second).toEqual(expect.any(Number));
    expect(alive(second)).toBe(true);

    const page = await browser.newPage();
    try {
      const username = `${Math.floor(Date.now() / 1000) + 60}:session-after-restart`;
      const credential = createHmac('sha1', SECRET).update(username).digest('base64');
      let relay: string[] = [];
      // The new coturn takes a moment to listen again.
      for (let attempt = 0; attempt < 5 && relay.length === 0; attempt++) {
        ({ relay } = await gatherRelay(page, [
          { urls: [`turn:${externalAddresses[0]}:${TURN_PORT}?transport=udp`], username, credential },
        ]));
      }
      expect(relay).toEqual([externalAddresses[0]]);
    } finally {
      await page.close();
    }

    await orch.stop();
    expect(orch.output()).toMatch(new RegExp(`"turnserverPid":${second}[^\\n]*"msg":"TURN server stopped"`));
    expect(alive(second)).toBe(false);
  });
});

it('without turnserver, --turn stops start-up saying what to install', async () => {
  const failed = orchestrator({ JIT_TURN_SERVER_PATH: '/nonexistent/turnserver' });
  await expect(failed).rejects.toThrow(/exited with [1-9]/);
  await expect(failed).rejects.toThrow(/"\/nonexistent\/turnserver" \(JIT_TURN_SERVER_PATH\) is not installed; install Debian's coturn/);
});

it('a TURN port already taken stops start-up, and leaves no coturn running', async () => {
  const taken = createSocket('udp4');
  await new Promise<void>((resolve) => taken.bind(19480, '127.0.0.1', resolve));
  const ownDir = mkdtempSync(path.join(tmpdir(), 'jit-turn-taken-'));
  try {
    const failed = orchestrator({ JIT_TURN_PORT: '19480', JIT_TURN_DATA_DIR: ownDir, JIT_TURN_TLS_CERT: '', JIT_TURN_TLS_KEY: '' });
    await expect(failed).rejects.toThrow(/the TURN server did not answer STUN on port 19480/);
    const coturns = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(ownDir);
        } catch {
          return false;
        }
      });
    expect(coturns).toEqual([]);
  } finally {
    taken.close();
    rmSync(ownDir, { recursive: true, force: true });
  }
});

it('another STUN/TURN server on the port stops start-up (coturn would share the port with it)', async () => {
  const other = spawn(
    'turnserver',
    [
      '-n',
      '--listening-port',
      '19481',
      '--listening-ip',
      '127.0.0.1',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--min-port',
      '30900',
      '--max-port',
      '30999',
      '--pidfile',
      path.join(dataDir, 'other.pid'),
      '--userdb',
      path.join(dataDir, 'other.db'),
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let waited = 0; !(await stunAnswers('127.0.0.1', 19481, 500)) && waited < 20; waited++);
    const failed = orchestrator({ JIT_TURN_PORT: '19481' });
    await expect(failed).rejects.toThrow(/another STUN\/TURN server already answers on port 19481 \(JIT_TURN_PORT\)/);
  } finally {
    other.kill();
  }
});
