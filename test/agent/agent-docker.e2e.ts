/**
 * The instance agent with the Docker runtime, on podman's Docker Engine API (or DOCKER_HOST's):
 * JIT containers from a local image (the host's node and the repository's dist through read-only
 * binds; its entrypoint is the JIT), labelled `jit`, ports from the configured block published
 * one-to-one, played in Chromium through the published ports on 127.0.0.1, removed on DELETE
 * (kept with --keep-containers), and the start-up clean-up (--prune, --remove-running).
 *
 * No engine: as in test/infra/docker-engine.e2e.ts, the file fails with the reason unless
 * JIT_ALLOW_NO_DOCKER=1, which turns it into skipped tests.
 */
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { launchBrowser, openPlayer, saveScreenshot } from '../support/browser';
import { describeWithDockerEngine } from '../support/docker-describe';
import { ensureLocalImage, hostBinds, type DockerEngine } from '../support/docker-engine';
import { makeIndexedClip, repoRoot } from '../support/media';
import { connect, waitForFrame } from '../support/player';
import { connectPinned, portAnswers, startAgent, type RunningAgent } from './agent-process';

jest.setTimeout(60_000);

const baseImage = 'jit-test-base:latest';
/** The base image with the JIT as its entrypoint, as the real JIT image has. */
const jitImage = 'jit-agent-test-jit:latest';
const runId = randomUUID();
const secret = randomBytes(24).toString('hex');
const PORT_MIN = 52000;
const PORT_MAX = 52299;

/** The base image plus `ENTRYPOINT [node, dist/apps/jit/src/main.js]` (a commit of a container of it). */
async function ensureJitImage(docker: Docker): Promise<void> {
  const entrypoint = [process.execPath, path.join(repoRoot, 'dist', 'apps', 'jit', 'src', 'main.js')];
  try {
    const info = await docker.getImage(jitImage).inspect();
    if (JSON.stringify(info.Config.Entrypoint) === JSON.stringify(entrypoint)) return;
    await docker.getImage(jitImage).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const container = await docker.createContainer({ Image: baseImage, Cmd: ['--help'] });
  try {
    const [repo, tag] = jitImage.split(':');
    await container.commit({ repo, tag, changes: `ENTRYPOINT ${JSON.stringify(entrypoint)}` });
  } finally {
    await container.remove({ force: true });
  }
}

describeWithDockerEngine('agent, Docker runtime', describeDocker);

function describeDocker(engine: DockerEngine): void {
  describe(`agent, Docker runtime (${engine.owned ? 'podman service started by the test' : 'DOCKER_HOST'})`, () => {
    const docker = new Docker({ socketPath: engine.socketPath });
    const agents: RunningAgent[] = [];
    let browser: Browser;
    let clip: string;

    const agentEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      JIT_AGENT_SECRET: secret,
      JIT_AGENT_RUNTIME: 'docker',
      DOCKER_HOST: engine.dockerHost,
      JIT_IMAGE: jitImage,
      // The host's node and the repository; the media folder too when JIT_SAMPLE_MEDIA_DIR puts it elsewhere.
      JIT_CONTAINER_BINDS: hostBinds(clip.startsWith(repoRoot + path.sep) ? [] : [`${path.dirname(clip)}:${path.dirname(clip)}:ro`]).join(
        ',',
      ),
      JIT_CONTAINER_PORT_MIN: String(PORT_MIN),
      JIT_CONTAINER_PORT_MAX: String(PORT_MAX),
      // Bridge network: the JIT announces 127.0.0.1 too, where its UDP ports are published.
      JIT_PUBLIC_IP: '127.0.0.1',
      ...extra,
    });
    const start = async (args: string[], extra?: NodeJS.ProcessEnv) => {
      const agent = await startAgent(args, agentEnv(extra), secret);
      agents.push(agent);
      return agent;
    };
    const streamContainers = async (id: string) => docker.listContainers({ all: true, filters: { label: [`jit.stream=${id}`] } });

    /** A container labelled jit by someone else: stopped (ran and ended) or running. */
    const labelled = async (running: boolean) => {
      const container = await docker.createContainer({
        Image: baseImage,
        Labels: { jit: 'true', 'jit.test-run': runId },
        Cmd: [process.execPath, '-e', running ? 'setInterval(() => {}, 1000)' : ''],
        HostConfig: { Binds: hostBinds(), Init: true },
      });
      await container.start();
      if (!running) await container.wait();
      return container.id;
    };
    const exists = async (id: string) =>
      docker
        .getContainer(id)
        .inspect()
        .then(() => true)
        .catch((e: { statusCode?: number }) => (e.statusCode === 404 ? false : Promise.reject(e)));

    beforeAll(async () => {
      await ensureLocalImage(baseImage);
      [clip, browser] = await Promise.all([
        makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 100 }),
        launchBrowser(),
        ensureJitImage(docker),
      ]);
    }, 120_000);

    afterAll(async () => {
      for (const agent of agents) await agent.stop();
      await browser?.close();
      // Whatever a failed test left behind.
      const left = await docker
        .listContainers({ all: true, filters: { label: [`jit.test-run=${runId}`] } })
        .then(async (mine) => [...mine, ...(await docker.listContainers({ all: true, filters: { label: ['jit.stream'] } }))])
        .catch(() => []);
      for (const c of left)
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      await engine.stop();
    }, 60_000);

    it('--prune removes stopped jit containers at start, --remove-running running ones', async () => {
      const [stopped, running] = [await labelled(false), await labelled(true)];
      const pruning = await start(['--prune']);
      console.log(`agent (docker runtime, --prune) listening ${pruning.startMs} ms after spawn`);
      expect(await exists(stopped)).toBe(false);
      expect(await exists(running)).toBe(true);
      expect(await pruning.stop()).toBe(0);
      await start(['--remove-running']);
      expect(await exists(running)).toBe(false);
    });

    describe('a stream', () => {
      let agent: RunningAgent;
      let port: number;
      let containerId: string;
      let page: Page | undefined;

      beforeAll(() => {
        agent = agents.at(-1)!;
      });
      afterAll(async () => {
        await page?.close();
      });

      it('starts in a container labelled jit, ports published one-to-one from the range', async () => {
        const t0 = Date.now();
        const res = await agent.api('POST', '/streams', { id: 'docker-1', inputs: [{ url: clip }], options: { technicalTimeout: 120 } });
        const ms = Date.now() - t0;
        expect(res).toEqual({ status: 201, body: { id: 'docker-1', port: expect.any(Number), runtime: 'docker' } });
        port = res.body.port;
        console.log(`POST /streams (docker) → 201 (JIT healthy) in ${ms} ms`);
        expect([PORT_MIN, PORT_MIN + 100, PORT_MIN + 200]).toContain(port);

        const [listed] = await streamContainers('docker-1');
        expect(listed).toMatchObject({ State: 'running', Labels: expect.objectContaining({ jit: 'true', 'jit.stream': 'docker-1' }) });
        containerId = listed.Id;
        const info = await docker.getContainer(containerId).inspect();
        expect(info.HostConfig.Init).toBe(true);
        expect(info.Config.Cmd).toEqual(['-i', clip, '--technical-timeout', '120', '--host', '0.0.0.0', '--port', String(port)]);
        expect(info.Config.Env).toEqual(
          expect.arrayContaining(['PUBLIC_IP=127.0.0.1', `JIT_CONTAINER_PORT_MIN=${port}`, `JIT_CONTAINER_PORT_MAX=${port + 99}`]),
        );
        const published = Object.entries(info.HostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>);
        expect(published).toHaveLength(101);
        for (const [key, [binding]] of published) {
          const [inner, proto] = key.split('/');
          expect(binding.HostPort).toBe(inner);
          expect(Number(inner)).toBeGreaterThanOrEqual(port);
          expect(Number(inner)).toBeLessThanOrEqual(proto === 'tcp' ? port : port + 99);
        }
        expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({ status: 'ok' });
      });

      it('is listed running with the JIT status', async () => {
        const { body } = await agent.api('GET', '/status');
        expect(body.streams).toEqual([
          expect.objectContaining({
            id: 'docker-1',
            state: 'running',
            runtime: 'docker',
            port,
            whepPath: '/whep',
            jit: expect.objectContaining({ viewers: 0 }),
          }),
        ]);
      });

      it('plays in Chromium through the published ports on 127.0.0.1', async () => {
        page = await openPlayer(browser, `http://127.0.0.1:${port}/`);
        // Media pinned to the 127.0.0.1 candidate: the published UDP port, not the container address.
        const pinned = await connectPinned(page, `http://127.0.0.1:${port}/whep`, '127.0.0.1');
        console.log(`pinned to 127.0.0.1: ${JSON.stringify(pinned)}`);
        // Chromium hides the address of a peer-reflexive remote candidate (""); the port tells.
        expect(pinned).toMatchObject({ status: 201, connectionState: 'connected' });
        expect(['127.0.0.1', '']).toContain(pinned.remote!.address);
        expect(pinned.videoPacketsReceived).toBeGreaterThan(0);
        expect(pinned.remote!.port).toBeGreaterThanOrEqual(port);
        expect(pinned.remote!.port).toBeLessThanOrEqual(port + 99);

        const t0 = Date.now();
        await connect(page, `http://127.0.0.1:${port}/whep`);
        await waitForFrame(page, 0, 10_000);
        console.log(`docker: first frame on screen ${Date.now() - t0} ms after connect`);
        await saveScreenshot(page, 'agent-docker-first-frame');
        const { body } = await agent.api('GET', '/status');
        expect(body.streams[0].jit).toMatchObject({ viewers: 1, frame: 0 });
        expect(body.idleSince).toBeNull();
      });

      it('answers 502 naming the input when the JIT container exits during start-up, and removes that container', async () => {
        const missing = '/nonexistent/agent-docker-test/missing.mov';
        const res = await agent.api('POST', '/streams', { id: 'docker-broken', inputs: [{ url: missing }] });
        expect(res.status).toBe(502);
        expect(res.body).toMatchObject({ exitCode: 2, message: expect.stringContaining(missing) });
        expect(await streamContainers('docker-broken')).toEqual([]);
        expect((await agent.api('GET', '/health')).status).toBe(200);
      });

      it('DELETE stops and removes the container; the port is closed and the status empty', async () => {
        const t0 = Date.now();
        const res = await agent.api('DELETE', '/streams/docker-1');
        console.log(`DELETE (docker) → ${res.status} in ${Date.now() - t0} ms`);
        expect(res).toEqual({ status: 200, body: { id: 'docker-1', state: 'exited', exitCode: 0 } });
        expect(await exists(containerId)).toBe(false);
        expect(await portAnswers(port)).toBe(false);
        expect((await agent.api('GET', '/status')).body.streams).toEqual([]);
      });
    });

    it('JIT_CONTAINER_NETWORK=host: no ports published, the JIT listens on the agent host and plays', async () => {
      // JIT_AGENT_RUNTIME=auto finds the engine of DOCKER_HOST.
      const agent = await start([], { JIT_CONTAINER_NETWORK: 'host', JIT_AGENT_RUNTIME: 'auto' });
      const res = await agent.api('POST', '/streams', { id: 'host-net', inputs: [{ url: clip }] });
      expect(res).toMatchObject({ status: 201, body: { runtime: 'docker' } });
      const port: number = res.body.port;
      const [listed] = await streamContainers('host-net');
      const info = await docker.getContainer(listed.Id).inspect();
      expect(info.HostConfig.NetworkMode).toBe('host');
      expect(info.Config.Cmd).toEqual(['-i', clip, '--host', '127.0.0.1', '--port', String(port)]);
      const page = await openPlayer(browser, `http://127.0.0.1:${port}/`);
      try {
        // The JIT's sockets are the host's: Chromium may see its answers come from another local
        // address than the one pinned (a peer-reflexive candidate, address hidden), still in the block.
        const pinned = await connectPinned(page, `http://127.0.0.1:${port}/whep`, '127.0.0.1');
        console.log(`host network, pinned to 127.0.0.1: ${JSON.stringify(pinned)}`);
        expect(pinned).toMatchObject({ status: 201, connectionState: 'connected' });
        expect(pinned.videoPacketsReceived).toBeGreaterThan(0);
        expect(pinned.offered.every((c) => Number(c.split(' ')[1]) >= port && Number(c.split(' ')[1]) <= port + 99)).toBe(true);
        await connect(page, `http://127.0.0.1:${port}/whep`);
        await waitForFrame(page, 0, 10_000);
      } finally {
        await page.close();
      }
      expect((await agent.api('DELETE', '/streams/host-net')).status).toBe(200);
      expect(await exists(listed.Id)).toBe(false);
      expect(await portAnswers(port)).toBe(false);
    });

    it('--keep-containers leaves the stopped container after DELETE; SIGTERM stops running ones', async () => {
      for (const agent of agents.splice(0)) expect(await agent.stop()).toBe(0);
      const keeping = await start(['--keep-containers']);
      expect((await keeping.api('POST', '/streams', { id: 'kept', inputs: [{ url: clip }] })).status).toBe(201);
      expect((await keeping.api('DELETE', '/streams/kept')).status).toBe(200);
      const [kept] = await streamContainers('kept');
      expect(kept).toMatchObject({ State: 'exited' });
      await docker.getContainer(kept.Id).remove({ force: true });

      const running = await keeping.api('POST', '/streams', { id: 'at-shutdown', inputs: [{ url: clip }] });
      expect(running.status).toBe(201);
      expect(await keeping.stop()).toBe(0);
      const [left] = await streamContainers('at-shutdown');
      expect(left?.State).toBe('exited');
      await docker.getContainer(left.Id).remove({ force: true });
      expect(await portAnswers(running.body.port)).toBe(false);
    });
  });
}
