/**
 * Spare agents (JIT_INSTANCE_AGENT_SPARES, process form of the SingleInstanceProvider): started
 * ahead of sessions, taken by the next session, replaced, and never left behind, also when the
 * orchestrator is killed and started again.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { makeIndexedClip, repoRoot } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { eventually } from '../support/eventually';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(180_000);

const AGENT_PORTS = [18208, 18209] as const;
const sparesDir = path.join(repoRoot, '.cache', 'agents', 'spares', `${AGENT_PORTS[0]}-${AGENT_PORTS[1]}`);

let temporal: TemporalServer;
let clip: string;

beforeAll(async () => {
  [temporal, clip] = await Promise.all([ensureTemporal(), makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 50 })]);
});
afterAll(async () => temporal?.stop());

const orchestrator = (): Promise<RunningOrchestrator> =>
  startOrchestrator({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: 'sessions-spares',
    JIT_INSTANCE_AGENT_PORT_MIN: String(AGENT_PORTS[0]),
    JIT_INSTANCE_AGENT_PORT_MAX: String(AGENT_PORTS[1]),
    JIT_CONTAINER_PORT_MIN: '24000',
    JIT_CONTAINER_PORT_MAX: '24199',
    JIT_AGENT_RUNTIME: 'process',
    JIT_INSTANCE_AGENT_SPARES: '1',
  });

/** Agent processes (by program and environment) on our agent ports, as pids. */
function agentPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      // JITs inherit their agent's environment: tell them apart by their program.
      const agent = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        .split('\0')
        .some((arg) => arg.endsWith(path.join('orchestrator', 'src', 'main.js')));
      if (agent && environ.includes('MAIN_MODULE=agent') && AGENT_PORTS.some((p) => environ.includes(`JIT_INSTANCE_AGENT_PORT=${p}`)))
        pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids.sort();
}

const spares = () =>
  readdirSync(sparesDir).map((f) => JSON.parse(readFileSync(path.join(sparesDir, f), 'utf8')) as { pid: number; port: number });

it('keeps an agent ready ahead of sessions, hands it to the next session, and leaves none behind', async () => {
  let orch = await orchestrator();
  try {
    const [spare] = await eventually(spares, (s) => s.length === 1);
    expect(agentPids()).toEqual([spare.pid]);

    const session = await http('POST', `${orch.url}/session`, { inputs: [{ url: clip }] });
    expect(session.status).toBe(201);
    expect(session.body.instance.id).toBe(`local-${spare.port}-${spare.pid}`);
    // A new spare follows on the other port, a little later.
    const [next] = await eventually(spares, (s) => s.length === 1 && s[0].pid !== spare.pid);
    expect(next.port).not.toBe(spare.port);
    expect(await eventually(agentPids, (p) => p.length === 2)).toEqual([spare.pid, next.pid].sort());

    // Killed without a chance to clean up: its spare stays; the next start stops it and makes its own.
    orch.process.kill('SIGKILL');
    await orch.exited;
    orch = await orchestrator();
    const [fresh] = await eventually(spares, (s) => s.length === 1 && s[0].pid !== next.pid);
    expect(fresh).toBeDefined();
    expect(await eventually(agentPids, (p) => !p.includes(next.pid))).not.toContain(next.pid);

    expect((await http('DELETE', `${orch.url}/session/${session.body.sessionId}`)).body.state).toBe('ended');
    expect(await eventually(agentPids, (p) => !p.includes(spare.pid))).toEqual([fresh.pid]);
  } finally {
    await orch.stop();
  }
  expect(await eventually(agentPids, (p) => p.length === 0)).toEqual([]);
  expect(spares()).toEqual([]);
});
