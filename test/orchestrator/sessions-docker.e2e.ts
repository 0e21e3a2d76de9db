/**
 * The session flow of sessions.e2e.ts with SingleInstanceProvider's container form
 * (JIT_INSTANCE_AGENT_RUNTIME=docker) on podman's Docker Engine API (or DOCKER_HOST's): each
 * session's agent is a container of JIT_INSTANCE_AGENT_IMAGE (host network, labelled `jit.agent`
 * and `jit.session`, never `jit`), which starts its JIT as a container labelled `jit` with ports
 * from the configured range; DELETE leaves neither. JIT_KEEP_CONTAINERS, JIT_PRUNE and
 * JIT_REMOVE_RUNNING reach the agents and do what the spec says.
 *
 * Both images are local (`ensureLocalImage` plus an entrypoint): they run the host's node and the
 * repository's dist through read-only binds (JIT_INSTANCE_AGENT_BINDS for the agent,
 * JIT_CONTAINER_BINDS for the JITs). No engine: the file fails with the reason unless
 * JIT_ALLOW_NO_DOCKER=1, which turns it into skipped tests.
 */
import Docker from 'dockerode';
import type { Browser } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { launchBrowser } from '../support/browser';
import { describeWithDockerEngine } from '../support/docker-describe';
import { ensureLocalImage, hostBinds, type DockerEngine } from '../support/docker-engine';
import { makeIndexedClip, repoRoot } from '../support/media';
import { startOrchestrator, type RunningOrchestrator } from '../support/orchestrator-process';
import { playStream } from '../support/player';
import { http } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(120_000);

const baseImage = 'jit-test-base:latest';
const agentImage = 'jit-sessions-test-agent:latest';
const jitImage = 'jit-sessions-test-jit:latest';
const runId = randomUUID();
/** Agent and media ports of this file only, below the kernel's ephemeral ports. */
const MEDIA_MIN = 26000;
const MEDIA_MAX = 26999;

/** The base image plus `ENTRYPOINT [node, main]` and `CMD cmd` (a commit of a container of it), unless it is there already. */
async function ensureImage(docker: Docker, name: string, main: string, cmd: string[]): Promise<void> {
  const entrypoint = [process.execPath, path.join(repoRoot, 'dist', 'apps', main, 'src', 'main.js')];
  try {
    const info = await docker.getImage(name).inspect();
    if (JSON.stringify([info.Config.Entrypoint, info.Config.Cmd]) === JSON.stringify([entrypoint, cmd])) return;
    await docker.getImage(name).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const container = await docker.createContainer({ Image: baseImage, Cmd: cmd });
  try {
    const [repo, tag] = name.split(':');
    await container.commit({ repo, tag, changes: `ENTRYPOINT ${JSON.stringify(entrypoint)}` });
  } finally {
    await container.remove({ force: true });
  }
}

describeWithDockerEngine('sessions, agents as containers', describeDocker);

function describeDocker(engine: DockerEngine): void {
  describe(`sessions, agents as containers (${engine.owned ? 'podman service started by the test' : 'DOCKER_HOST'})`, () => {
    const docker = new Docker({ socketPath: engine.socketPath });
    const orchestrators: RunningOrchestrator[] = [];
    /** Sessions started, with their orchestrator: afterAll ends those a failed test left running. */
    const sessions: { orch: RunningOrchestrator; sessionId: string }[] = [];
    const startSession = async (orch: RunningOrchestrator, body: object) => {
      const res = await http('POST', `${orch.url}/session`, body);
      if (res.body?.sessionId ?? res.body?.session?.sessionId)
        sessions.push({ orch, sessionId: res.body.sessionId ?? res.body.session.sessionId });
      return res;
    };
    let temporal: TemporalServer;
    let browser: Browser;
    let clip: string;

    /** An orchestrator whose agents are containers; agents and media on ranges of their own. */
    const orchestrator = async (env: NodeJS.ProcessEnv, agentPorts: [number, number], media: [number, number]) => {
      const orch = await startOrchestrator({
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        TEMPORAL_TASK_QUEUE: `sessions-docker-${agentPorts[0]}`,
        DOCKER_HOST: engine.dockerHost,
        JIT_INSTANCE_AGENT_RUNTIME: 'docker',
        JIT_INSTANCE_AGENT_IMAGE: agentImage,
        JIT_INSTANCE_AGENT_PORT_MIN: String(agentPorts[0]),
        JIT_INSTANCE_AGENT_PORT_MAX: String(agentPorts[1]),
        // The agent container runs the host's node and the repository's dist.
        JIT_INSTANCE_AGENT_BINDS: hostBinds().join(','),
        JIT_IMAGE: jitImage,
        JIT_CONTAINER_BINDS: hostBinds(clip.startsWith(repoRoot + path.sep) ? [] : [`${path.dirname(clip)}:${path.dirname(clip)}:ro`]).join(
          ',',
        ),
        JIT_CONTAINER_PORT_MIN: String(media[0]),
        JIT_CONTAINER_PORT_MAX: String(media[1]),
        // Bridge network: the JIT announces 127.0.0.1, where its UDP ports are published.
        JIT_PUBLIC_IP: '127.0.0.1',
        JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1',
        ...env,
      });
      orchestrators.push(orch);
      return orch;
    };

    const agentContainers = (sessionId: string) => docker.listContainers({ all: true, filters: { label: [`jit.session=${sessionId}`] } });
    /** The JIT container serving `port` (its HTTP port, the first of its block). */
    const jitContainer = async (port: number) => {
      for (const c of await docker.listContainers({ all: true, filters: { label: ['jit.stream'] } })) {
        const info = await docker.getContainer(c.Id).inspect();
        const cmd = info.Config.Cmd ?? [];
        if (cmd[cmd.indexOf('--port') + 1] === String(port)) return info;
      }
      return undefined;
    };
    const exists = (id: string) =>
      docker
        .getContainer(id)
        .inspect()
        .then(() => true)
        .catch((e: { statusCode?: number }) => (e.statusCode === 404 ? false : Promise.reject(e)));
    /** A container labelled jit by someone else: stopped (ran and ended) or running. */
    const labelled = async (running: boolean) => {
      const container = await docker.createContainer({
        Image: baseImage,
        Labels: { jit: 'true', 'jit.test-run': runId },
        Entrypoint: [process.execPath, '-e', running ? 'setInterval(() => {}, 1000)' : ''],
        HostConfig: { Binds: hostBinds(), Init: true },
      });
      await container.start();
      if (!running) await container.wait();
      return container.id;
    };
    const portOf = (jitUrl: string) => Number(new URL(jitUrl).port);

    beforeAll(async () => {
      const t0 = Date.now();
      await ensureLocalImage(baseImage);
      [temporal, browser, clip] = await Promise.all([
        ensureTemporal(),
        launchBrowser(),
        makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 }),
        // The agent's image runs the program in agent mode (MAIN_MODULE=agent says so too); the JIT's gets its command from the agent.
        ensureImage(docker, agentImage, 'orchestrator', ['agent']),
        ensureImage(docker, jitImage, 'jit', ['--help']),
      ]);
      console.log(`sessions-docker: engine, images, Temporal, Chromium ready in ${Date.now() - t0} ms`);
    }, 300_000);

    afterAll(async () => {
      for (const { orch, sessionId } of sessions) {
        if (orch.process.exitCode === null) await http('DELETE', `${orch.url}/session/${sessionId}`).catch(() => undefined);
      }
      for (const orch of orchestrators) await orch.stop();
      await browser?.close();
      await temporal?.stop();
      // Whatever a failed test left behind: our agents, our labelled containers, JITs on our ports.
      const all = await docker.listContainers({ all: true }).catch(() => []);
      const ours = all.filter(
        (c) =>
          c.Labels['jit.agent'] === 'true' ||
          c.Labels['jit.test-run'] === runId ||
          (c.Labels['jit.stream'] !== undefined &&
            c.Command.split(' ').some((w, i, a) => a[i - 1] === '--port' && Number(w) >= MEDIA_MIN && Number(w) <= MEDIA_MAX)),
      );
      for (const c of ours)
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      await engine.stop();
    }, 90_000);

    it('a session starts in an agent container, plays in Chromium, and DELETE leaves no agent or JIT container', async () => {
      const orch = await orchestrator({}, [18300, 18302], [MEDIA_MIN, MEDIA_MIN + 499]);
      const t0 = Date.now();
      const created = await startSession(orch, { inputs: [{ url: clip, id: 'picture' }] });
      console.log(`POST /session (agent container) → ${created.status} in ${Date.now() - t0} ms`);
      if (created.status !== 201) console.log(JSON.stringify(created.body), orch.output().slice(-3000));
      expect(created.status).toBe(201);
      const session = created.body;
      expect(session).toMatchObject({ state: 'running', restarts: 0 });
      expect(session.instance.id).toMatch(/^container-1830[0-2]-[0-9a-f]{12}$/);
      expect(session.jitUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/whep\?token=[\w-]{32}$/);

      const [agent] = await agentContainers(session.sessionId);
      expect(agent).toMatchObject({
        State: 'running',
        Labels: expect.objectContaining({ 'jit.agent': 'true', 'jit.session': session.sessionId }),
      });
      expect(agent.Labels.jit).toBeUndefined();
      const agentInfo = await docker.getContainer(agent.Id).inspect();
      expect(agentInfo.Config.Image).toContain('jit-sessions-test-agent');
      expect(agentInfo.HostConfig).toMatchObject({ NetworkMode: 'host', Init: true });
      expect(agentInfo.Config.Env).toEqual(
        expect.arrayContaining([
          'MAIN_MODULE=agent',
          'JIT_AGENT_RUNTIME=docker',
          'DOCKER_HOST=unix:///var/run/docker.sock',
          `JIT_IMAGE=${jitImage}`,
        ]),
      );

      const port = portOf(session.jitUrl);
      expect(port).toBeGreaterThanOrEqual(MEDIA_MIN);
      expect(port).toBeLessThanOrEqual(MEDIA_MIN + 499);
      const jit = await jitContainer(port);
      expect(jit).toBeDefined();
      expect(jit!.State.Running).toBe(true);
      expect(jit!.Config.Labels).toMatchObject({ jit: 'true' });
      for (const key of Object.keys(jit!.HostConfig.PortBindings as object)) {
        expect(Number(key.split('/')[0])).toBeGreaterThanOrEqual(MEDIA_MIN);
        expect(Number(key.split('/')[0])).toBeLessThanOrEqual(MEDIA_MIN + 499);
      }

      const p0 = Date.now();
      await playStream(browser, session.jitUrl, 60);
      console.log(`played to frame 60 through the agent container's JIT container in ${Date.now() - p0} ms`);

      const restarted = await http('POST', `${orch.url}/session/${session.sessionId}/restart`, { lowres: 1 });
      expect(restarted).toMatchObject({ status: 201, body: { state: 'running', restarts: 1 } });
      await playStream(browser, restarted.body.jitUrl, 20);
      const restartedJit = await jitContainer(portOf(restarted.body.jitUrl));
      expect(await exists(jit!.Id)).toBe(restartedJit?.Id === jit!.Id);

      const d0 = Date.now();
      const ended = await http('DELETE', `${orch.url}/session/${session.sessionId}`);
      console.log(`DELETE /session (agent container) → ${ended.status} in ${Date.now() - d0} ms`);
      expect(ended.body).toMatchObject({ state: 'ended', endReason: 'killed' });
      expect(await agentContainers(session.sessionId)).toEqual([]);
      expect(await exists(agent.Id)).toBe(false);
      expect(await jitContainer(portOf(restarted.body.jitUrl))).toBeUndefined();
      expect(await exists(jit!.Id)).toBe(false);
      await expect(fetch(new URL('/health', restarted.body.jitUrl))).rejects.toThrow();
      await orch.stop();
    });

    it('JIT_REMOVE_RUNNING and JIT_PRUNE clear jit containers when an agent starts; JIT_KEEP_CONTAINERS keeps the stopped JIT', async () => {
      const orch = await orchestrator(
        // auto: the engine answers and the agent image is there, so agents are containers.
        { JIT_INSTANCE_AGENT_RUNTIME: 'auto', JIT_PRUNE: 'true', JIT_REMOVE_RUNNING: 'true', JIT_KEEP_CONTAINERS: 'true' },
        [18303, 18304],
        [MEDIA_MIN + 500, MEDIA_MAX],
      );
      const [stopped, running] = [await labelled(false), await labelled(true)];
      expect([await exists(stopped), await exists(running)]).toEqual([true, true]);

      const first = await startSession(orch, { inputs: [{ url: clip }] });
      expect(first.status).toBe(201);
      expect(first.body.instance.id).toMatch(/^container-/);
      // The agent removed both at its start, before it served.
      expect([await exists(stopped), await exists(running)]).toEqual([false, false]);
      const [firstAgent] = await agentContainers(first.body.sessionId);
      expect((await docker.getContainer(firstAgent.Id).inspect()).Config.Env).toEqual(
        expect.arrayContaining(['JIT_PRUNE=true', 'JIT_REMOVE_RUNNING=true', 'JIT_KEEP_CONTAINERS=true']),
      );
      await playStream(browser, first.body.jitUrl);
      const kept = await jitContainer(portOf(first.body.jitUrl));
      expect(kept).toBeDefined();

      expect((await http('DELETE', `${orch.url}/session/${first.body.sessionId}`)).body.state).toBe('ended');
      expect(await agentContainers(first.body.sessionId)).toEqual([]);
      expect((await docker.getContainer(kept!.Id).inspect()).State).toMatchObject({ Running: false, Status: 'exited' });

      // The next session's agent prunes the kept, stopped JIT container.
      const second = await startSession(orch, { inputs: [{ url: clip }] });
      expect(second.status).toBe(201);
      expect(await exists(kept!.Id)).toBe(false);
      expect((await http('DELETE', `${orch.url}/session/${second.body.sessionId}`)).body.state).toBe('ended');
      const secondJit = await jitContainer(portOf(second.body.jitUrl));
      expect(secondJit?.State.Status).toBe('exited');
      await docker.getContainer(secondJit!.Id).remove({ force: true });
      await orch.stop();
    });

    it('JIT_INSTANCE_AGENT_RUNTIME=auto runs agents as child processes when the agent image cannot be had, and logs why', async () => {
      const missing = 'localhost:1/jit-sessions-test-no-such-agent:latest';
      const orch = await orchestrator(
        { JIT_INSTANCE_AGENT_RUNTIME: 'auto', JIT_INSTANCE_AGENT_IMAGE: missing },
        [18303, 18304],
        [MEDIA_MIN + 500, MEDIA_MAX],
      );
      const created = await startSession(orch, { inputs: [{ url: clip }] });
      expect(created.status).toBe(201);
      expect(created.body.instance.id).toMatch(/^local-1830[34]-\d+$/);
      expect(orch.output()).toMatch(
        new RegExp(
          `"reason":"the agent image ${missing.replace(/[.:/]/g, '\\$&')} is not on the engine and cannot be pulled.*agents run as child processes`,
        ),
      );
      expect(await agentContainers(created.body.sessionId)).toEqual([]);
      expect((await http('DELETE', `${orch.url}/session/${created.body.sessionId}`)).body.state).toBe('ended');
      await orch.stop();
    });
  });
}
