/**
 * Starts the compiled agent (`npm run build` first) as a real process and talks to its API.
 */
import * as path from 'node:path';
import { repoRoot } from '../support/media';
import { http, type ServiceProcess, startService } from '../support/service-process';

export const agentMain = path.join(repoRoot, 'dist', 'apps', 'agent', 'src', 'main.js');

export interface RunningAgent extends ServiceProcess {
  /** An API call with the secret (or `auth`), JSON in and out. */
  api(method: string, route: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: any }>;
}

/** Starts the agent on a free port of 127.0.0.1; resolves once it logs that it listens. */
export async function startAgent(
  args: string[],
  env: NodeJS.ProcessEnv,
  secret: string | undefined,
  timeoutMs = 30_000,
): Promise<RunningAgent> {
  const service = await startService('agent', agentMain, ['--host', '127.0.0.1', '--port', '0', ...args], env, timeoutMs);
  const url = service.url;
  return {
    ...service,
    api: async (method, route, body, auth) => {
      const token = auth === undefined ? secret : auth;
      const { status, body: answer } = await http(method, `${url}${route}`, body, token ? { authorization: `Bearer ${token}` } : {});
      return { status, body: answer };
    },
  };
}

/** The pid the agent logged for a stream's JIT ("JIT starting", ref "pid N"). */
export function jitPid(agentStderr: string, stream: string): number | undefined {
  const lines = agentStderr.split('\n').filter((l) => l.includes('"msg":"JIT starting"') && l.includes(`"stream":"${stream}"`));
  const match = /"ref":"pid (\d+)"/.exec(lines.at(-1) ?? '');
  return match ? Number(match[1]) : undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections (HTTP) on 127.0.0.1:port. */
export async function portAnswers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** The host candidates (address, port) of a WHEP answer, from an offer made in the page. */
export async function whepCandidates(
  page: import('playwright-core').Page,
  whepUrl: string,
): Promise<{ status: number; candidates: string[] }> {
  const answer = await page.evaluate(async (url) => {
    const pc = new RTCPeerConnection();
    pc.createDataChannel('control');
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const location = response.headers.get('location');
    const sdp = await response.text();
    if (location) await fetch(new URL(location, url), { method: 'DELETE' });
    pc.close();
    return { status: response.status, sdp };
  }, whepUrl);
  return { status: answer.status, candidates: answer.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')) };
}

export interface PinnedConnection {
  status: number;
  connectionState: string;
  /** the JIT's candidates in its answer: "address port" */
  offered: string[];
  /** the JIT's address and port of the selected candidate pair */
  remote?: { address: string; port: number };
  videoPacketsReceived: number;
}

/**
 * A WebRTC connection made in the page with the JIT's answer cut down to its candidates on
 * `address` (e.g. 127.0.0.1: a published port), so media can only take that path. Resolves with
 * the selected pair once video packets arrive (or with what there is after `timeoutMs`).
 */
export async function connectPinned(
  page: import('playwright-core').Page,
  whepUrl: string,
  address: string,
  timeoutMs = 10_000,
): Promise<PinnedConnection> {
  return page.evaluate(
    async ([url, only, timeout]) => {
      const pc = new RTCPeerConnection();
      pc.createDataChannel('control');
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        setTimeout(resolve, 2000);
      });
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
      const location = response.headers.get('location');
      const answer = await response.text();
      const lines = answer.split('\r\n');
      const offered = lines.filter((l) => l.startsWith('a=candidate:')).map((l) => l.split(' ').slice(4, 6).join(' '));
      const kept = lines.filter((l) => !l.startsWith('a=candidate:') || l.split(' ')[4] === only);
      await pc.setRemoteDescription({ type: 'answer', sdp: kept.join('\r\n') });
      const deadline = performance.now() + (timeout as number);
      let remote: { address: string; port: number } | undefined;
      let videoPacketsReceived = 0;
      while (performance.now() < deadline) {
        const report = (await pc.getStats()) as unknown as Map<string, any>;
        let pairRemote: string | undefined;
        report.forEach((s) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pairRemote = report.get(s.selectedCandidatePairId)?.remoteCandidateId;
          if (s.type === 'inbound-rtp' && s.kind === 'video') videoPacketsReceived = s.packetsReceived ?? 0;
        });
        const candidate = pairRemote ? report.get(pairRemote) : undefined;
        if (candidate) remote = { address: candidate.address ?? candidate.ip, port: candidate.port };
        if (remote && videoPacketsReceived > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const connectionState = pc.connectionState;
      if (location) await fetch(new URL(location, url), { method: 'DELETE' }).catch(() => undefined);
      pc.close();
      return { status: response.status, connectionState, offered, remote, videoPacketsReceived };
    },
    [whepUrl, address, timeoutMs] as const,
  );
}
