/**
 * Load at the admission: 50 sessions asked for at the same moment under JIT_CAPACITY=8, with real
 * agents and JITs (`?wait=false`, so the answers do not wait on 8 agents and JITs starting on a
 * small machine). Exactly 8 are admitted and run at once, the other 42 get 503 with Retry-After,
 * all 8 end on DELETE, their slots come back, and nothing is left: no process, port, instance or
 * session workflow.
 */
import { makeIndexedClip } from '../support/media';
import type { RunningOrchestrator } from '../support/orchestrator-process';
import { http } from '../support/service-process';
import { eventually } from '../support/eventually';
import { FaultRig, sessionWhen } from './fixtures/fault-rig';

jest.setTimeout(300_000);

const CAPACITY = 8;
const REQUESTS = 50;

let rig: FaultRig;
let clip: string;
let orch: RunningOrchestrator;

beforeAll(async () => {
  [rig, clip] = await Promise.all([
    FaultRig.start({ agents: [18920, 18929], media: [17000, 17999] }),
    makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
  ]);
  orch = await rig.orchestrator({
    JIT_CAPACITY: String(CAPACITY),
    JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1',
    // 16 Node programs starting at once on two shared cores: start-up is slow, not wrong.
    JIT_INSTANCE_READY_TIMEOUT: '120',
    JIT_SESSION_RUNNING_TIMEOUT: '120',
    JIT_STREAM_START_TIMEOUT: '120',
  });
});
afterAll(async () => {
  await orch?.stop();
  await rig?.stop();
});

it(`admits exactly ${CAPACITY} of ${REQUESTS} sessions asked for at once, refuses the rest with 503, and leaves nothing when they end`, async () => {
  // The agents running, sampled all along: never more than the capacity.
  let mostAgents = 0;
  const sampler = setInterval(() => {
    mostAgents = Math.max(mostAgents, rig.agentPorts().length);
  }, 100);
  const admitted: string[] = [];
  try {
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, () => http('POST', `${orch.url}/session?wait=false`, { inputs: [{ url: clip }] })),
    );
    const statuses = answers.map((a) => a.status);
    expect({ admitted: statuses.filter((s) => s === 202).length, refused: statuses.filter((s) => s === 503).length }).toEqual({
      admitted: CAPACITY,
      refused: REQUESTS - CAPACITY,
    });
    for (const refused of answers.filter((a) => a.status === 503)) {
      expect(refused.headers.get('retry-after')).toBe('10');
      // Either the ledger said full, or (a loaded machine) the admission timed out waiting for it.
      expect(refused.body.message).toMatch(/^capacity reached: 8 of 8|^cannot admit sessions now/);
    }
    admitted.push(...answers.filter((a) => a.status === 202).map((a) => a.body.sessionId));

    const states = await Promise.all(
      admitted.map((id) => sessionWhen(orch.url, id, (b) => b.state !== 'provisioning' && b.state !== 'starting', 180_000)),
    );
    expect(states.map((s) => s.state)).toEqual(admitted.map(() => 'running'));
    const listed = (await http('GET', `${orch.url}/sessions`)).body.map((s: { sessionId: string }) => s.sessionId);
    expect(listed.sort()).toEqual([...admitted].sort());
    expect({ agents: rig.agentPorts().length, jits: rig.strays().filter((p) => p.startsWith('JIT')).length }).toEqual({
      agents: CAPACITY,
      jits: CAPACITY,
    });
    const oneMore = await http('POST', `${orch.url}/session?wait=false`, { inputs: [{ url: clip }] });
    expect(oneMore.status).toBe(503);

    const ended = await Promise.all(admitted.map((id) => http('DELETE', `${orch.url}/session/${id}`)));
    expect(ended.map((e) => [e.status, e.body.state])).toEqual(admitted.map(() => [200, 'ended']));
    await rig.expectNothingLeft(admitted, 60_000);
    expect(mostAgents).toBe(CAPACITY);

    // Their slots came back: a new session is admitted.
    const again = await eventually(
      () => http('POST', `${orch.url}/session?wait=false`, { inputs: [{ url: clip }] }),
      (a) => a.status === 202,
      20_000,
      1000,
    );
    expect(again.status).toBe(202);
    expect((await http('DELETE', `${orch.url}/session/${again.body.sessionId}`)).body.state).toBe('ended');
    await rig.expectNothingLeft([again.body.sessionId]);
  } finally {
    clearInterval(sampler);
    // After a failure, the sessions still running are ended, so their workflows do not outlive the test.
    await Promise.all(admitted.map((id) => http('DELETE', `${orch.url}/session/${id}`).catch(() => undefined)));
  }
});
