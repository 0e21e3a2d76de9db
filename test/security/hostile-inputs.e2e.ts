/**
 * Hostile inputs against a real orchestrator (its own Temporal dev server, agents and JITs as
 * child processes, JIT_MEDIA_ROOTS set): traversal, URL tricks, injection in every string option,
 * bad numbers, malformed JSON, wrong content types, oversize bodies, malformed SDP and tokens at a
 * session's JIT, and 200 seeded random bodies. Every one gets a clear 4xx; afterwards the service
 * still serves (a real session starts and plays in Chromium) and no agent or JIT is left running.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { makeIndexedClip } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { childrenOf, describeProcess, processesWithEnv } from '../support/process-table';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';
import { seededRandom } from '../support/seeded-random';
import {
  badNumbers,
  controlPayloads,
  malformedJson,
  numericFields,
  randomHostileBody,
  shellPayloads,
  stringFields,
} from './fixtures/hostile';

jest.setTimeout(300_000);

const MARKER = 'JIT_SECURITY_SUITE';
const markerValue = randomBytes(6).toString('hex');
const base = mkdtempSync(path.join(tmpdir(), 'jit-hostile-'));
const root = path.join(base, 'media');
/** Would exist if anything ran a payload through a shell. */
const pwned = path.join(base, 'pwned');

let temporal: TemporalServer;
let browser: Browser;
let orch: RunningOrchestrator;
let clip: string;

beforeAll(async () => {
  let source: string;
  [temporal, browser, source] = await Promise.all([
    ensureTemporal(),
    launchBrowser(),
    makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 60 }),
  ]);
  mkdirSync(root);
  clip = path.join(root, 'clip.mov');
  copyFileSync(source, clip);
  // Inside the root, pointing out of it.
  symlinkSync(source, path.join(root, 'escape.mov'));
  symlinkSync(base, path.join(root, 'up'));
  orch = await startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: 'hostile',
    JIT_INSTANCE_AGENT_PORT_MIN: '18800',
    JIT_INSTANCE_AGENT_PORT_MAX: '18803',
    JIT_CONTAINER_PORT_MIN: '20000',
    JIT_CONTAINER_PORT_MAX: '20399',
    JIT_INSTANCE_AGENT_RUNTIME: 'process',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_SPARES: '0',
    JIT_MEDIA_ROOTS: root,
    [MARKER]: markerValue,
  });
});
afterAll(async () => {
  await orch?.stop();
  await browser?.close();
  await temporal?.stop();
  rmSync(base, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) => http('POST', `${orch.url}/session`, body, headers);

/** A 4xx with a JSON error that says something. */
function expectClearRefusal(answer: { status: number; body: any }, status: number | number[], what: string): void {
  const allowed = Array.isArray(status) ? status : [status];
  if (!allowed.includes(answer.status)) throw new Error(`${what}: got ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`);
  expect(answer.body).toMatchObject({ statusCode: answer.status, message: expect.any(String) });
  expect(answer.body.message.length).toBeGreaterThan(5);
}

/** Inputs the policy refuses, each with what the message must say. */
const refusedInputs = (): [string, RegExp][] => [
  [`${root}/../etc/passwd`, /".." path segments/],
  [`${root}/%2e%2e/%2e%2e/etc/passwd`, /".." path segments/],
  [`file://${root}/%2E%2E/%2E%2E/etc/passwd`, /".." path segments/],
  [`file://${root}/%252e%252e/etc/passwd`, /".." path segments/],
  ['file://169.254.169.254/etc/passwd', /must not name a host/],
  ['file://attacker.example/share/clip.mov', /must not name a host/],
  ['/etc/passwd', /not under a media root/],
  [`${root}-evil/clip.mov`, /not under a media root/],
  [path.join(root, 'escape.mov'), /leads out of the media roots/],
  [path.join(root, 'up', 'pwned'), /leads out of the media roots|not under/],
  ['clip.mov', /must be absolute/],
  ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /metadata address/],
  ['http://[fd00:ec2::254]/latest/meta-data/', /metadata address/],
  ['http://[::ffff:a9fe:a9fe]/latest/', /metadata address/],
  ['http://127.0.0.1:18800/status', /not allowed \(JIT_MEDIA_ROOTS names no URL\)/],
  ['http://2130706433/', /not allowed \(JIT_MEDIA_ROOTS names no URL\)/],
  ['https://localhost/clip.mov', /not allowed \(JIT_MEDIA_ROOTS names no URL\)/],
  ['ftp://example.com/clip.mov', /only local paths|supported/],
  ['gopher://127.0.0.1:25/', /only local paths|supported/],
  ['data:video/quicktime;base64,AAAA', /only local paths|supported/],
  ['s3://bucket/clip.mov', /not under a media root|not allowed/],
];

describe('POST /session refuses', () => {
  it.each(refusedInputs())('the input %s with 400 naming it', async (url, why) => {
    const answer = await post({ inputs: [{ url: clip }, { url }] });
    expectClearRefusal(answer, 400, url);
    expect(answer.body.message).toMatch(why);
    // Named by its value (the input policy) or by its place (the schema: scheme, characters).
    expect(answer.body.message.includes(JSON.stringify(url).slice(0, 30)) || answer.body.message.includes('inputs.1.url')).toBe(true);
  });

  it('control characters and over-long strings in every string option with 400 naming the field', async () => {
    const where: [string, (v: string) => unknown][] = [
      ['inputs.0.url', (v) => ({ inputs: [{ url: `${clip}${v}` }] })],
      ['inputs.0.id', (v) => ({ inputs: [{ url: clip, id: v }] })],
      ...stringFields.map((f): [string, (v: string) => unknown] => [f, (v) => ({ inputs: [{ url: clip }], [f]: v })]),
    ];
    for (const [field, body] of where) {
      for (const value of [...controlPayloads, 'x'.repeat(5000)]) {
        const answer = await post(body(value));
        expectClearRefusal(answer, 400, `${field}=${JSON.stringify(value).slice(0, 40)}`);
        expect(answer.body.message).toContain(field);
      }
    }
  });

  it('shell metacharacters in names and options with 400; in a path they reach the JIT as one argument, which refuses it (422), and nothing runs them', async () => {
    for (const payload of shellPayloads(pwned)) {
      for (const body of [
        { inputs: [{ url: clip, id: payload }] },
        { inputs: [{ url: clip }], region: payload },
        { inputs: [{ url: clip }], colorspace: payload },
        { inputs: [{ url: clip }], threadType: payload },
        { inputs: [{ url: clip }], [payload]: 1 },
      ]) {
        expectClearRefusal(await post(body), 400, JSON.stringify(body));
      }
    }
    // A file name may hold these characters: the path is valid, the file is not there.
    for (const payload of shellPayloads(pwned).slice(0, 3)) {
      const url = path.join(root, `clip${payload}.mov`);
      const answer = await post({ inputs: [{ url }] });
      expectClearRefusal(answer, 422, url);
      expect(answer.body.message).toContain(`input ${url}: no readable file`);
    }
    expect(existsSync(pwned)).toBe(false);
  });

  it('every bad number in every numeric field with 400 naming the field (restart bodies too)', async () => {
    const fields = [...Object.keys(numericFields), 'inputs.0.channelCount'];
    for (const field of fields) {
      for (const bad of badNumbers) {
        const text =
          field === 'inputs.0.channelCount'
            ? `{"inputs":[{"url":${JSON.stringify(clip)},"channelCount":${bad}}]}`
            : `{"inputs":[{"url":${JSON.stringify(clip)}}],"${field}":${bad}}`;
        const answer = await post(text);
        expectClearRefusal(answer, 400, `${field}=${bad}`);
        expect(answer.body.message).toContain(field);
      }
      if (field in numericFields) {
        const restart = await http('POST', `${orch.url}/session/session-2020-01-01-0000000000/restart`, `{"${field}":-1}`);
        expectClearRefusal(restart, 400, `restart ${field}=-1`);
      }
    }
  });

  it('malformed JSON with 400', async () => {
    for (const text of malformedJson) expectClearRefusal(await post(text), 400, JSON.stringify(text.slice(0, 60)));
  });

  it('bodies that are not JSON with 415, and oversize bodies with 413', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/sdp',
    ]) {
      const answer = await http('POST', `${orch.url}/session`, JSON.stringify({ inputs: [{ url: clip }] }), { 'content-type': type });
      expectClearRefusal(answer, 415, type);
    }
    const huge = JSON.stringify({ inputs: [{ url: clip }], pad: 'x'.repeat(300 * 1024) });
    expectClearRefusal(await post(huge), 413, '300 kB body');
    expectClearRefusal(await post({ inputs: Array.from({ length: 65 }, () => ({ url: clip })) }), 400, '65 inputs');
  });

  it('200 seeded random hostile bodies, each with a clear 4xx', async () => {
    const random = seededRandom(0x5eed);
    const refusedUrls = refusedInputs().map(([url]) => url);
    const bodies = Array.from({ length: 200 }, () => randomHostileBody(random, { validUrl: clip, refusedUrls, marker: pwned }));
    for (let i = 0; i < bodies.length; i += 8) {
      const batch = bodies.slice(i, i + 8);
      const answers = await Promise.all(batch.map((b) => http('POST', `${orch.url}/session`, b.text, { 'content-type': b.type })));
      answers.forEach((answer, j) => expectClearRefusal(answer, [400, 413, 415], `random body ${i + j} (${batch[j].why.join(', ')})`));
    }
    expect(existsSync(pwned)).toBe(false);
  });
});

describe("a session's JIT", () => {
  it('takes only its own viewers, refuses malformed SDP clearly, and plays afterwards', async () => {
    const created = await post({ inputs: [{ url: clip }] });
    expect([created.status, created.body.state]).toEqual([201, 'running']);
    const whep = new URL(created.body.jitUrl);
    const token = whep.searchParams.get('token')!;
    expect(token).toMatch(/^[\w-]{32}$/);
    const bare = `${whep.origin}/whep`;
    try {
      const offer = (body: string, url = whep.href, type = 'application/sdp') => http('POST', url, body, { 'content-type': type });
      // Tokens: none, wrong, another session's shape.
      expectClearRefusal(await offer('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', bare), 401, 'no token');
      expectClearRefusal(await offer('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', `${bare}?token=${'A'.repeat(32)}`), 401, 'wrong token');
      expectClearRefusal(await http('GET', `${whep.origin}/status`), 401, '/status without token');
      expectClearRefusal(await http('DELETE', `${bare}/00000000-0000-0000-0000-000000000000`), 401, 'DELETE without token');
      expect((await http('GET', `${whep.origin}/status`, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await http('DELETE', `${bare}/00000000-0000-0000-0000-000000000000?token=${token}`)).status).toBe(404);
      expect((await http('GET', `${whep.origin}/health`)).status).toBe(200);

      // Malformed offers, with the right token.
      for (const sdp of [
        '',
        'hello',
        'v=0\r\n',
        'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n',
        `v=0\r\nm=video 9 RTP/AVP 96\r\n${'a=x\r\n'.repeat(10)}`,
        'v=0\u0000\r\nm=video\u0000',
        randomBytes(2000).toString('latin1'),
      ]) {
        expectClearRefusal(await offer(sdp), 400, `SDP ${JSON.stringify(sdp.slice(0, 30))}`);
      }
      expectClearRefusal(await offer('v=0\r\n', whep.href, 'text/plain'), 415, 'SDP as text/plain');
      expectClearRefusal(await offer(`v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n${'a=x\r\n'.repeat(40_000)}`), 413, '200 kB SDP');

      await playStream(browser, created.body.jitUrl, 30);
    } finally {
      expect((await http('DELETE', `${orch.url}/session/${created.body.sessionId}`)).body.state).toBe('ended');
    }
  });
});

describe('afterwards', () => {
  it('still serves: healthy, and a new session starts, plays and ends', async () => {
    expect((await http('GET', `${orch.url}/health/ready`)).status).toBe(200);
    const created = await post({ inputs: [{ url: `file://${clip}`, id: 'picture (main)' }], lowres: 1 });
    expect([created.status, created.body.state]).toEqual([201, 'running']);
    await playStream(browser, created.body.jitUrl, 10);
    expect((await http('DELETE', `${orch.url}/session/${created.body.sessionId}`)).body.state).toBe('ended');
  });

  it('leaves no agent or JIT behind: no child of the orchestrator, no process of its making', async () => {
    const deadline = Date.now() + 20_000;
    let left = [...childrenOf(orch.process.pid!), ...processesWithEnv(MARKER, markerValue).filter((p) => p.pid !== orch.process.pid)];
    while (left.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = [...childrenOf(orch.process.pid!), ...processesWithEnv(MARKER, markerValue).filter((p) => p.pid !== orch.process.pid)];
    }
    expect(left.map(describeProcess)).toEqual([]);
    expect((await http('GET', `${orch.url}/sessions`)).body).toEqual([]);
  });
});
