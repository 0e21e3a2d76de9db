/**
 * The images of docker/Dockerfile, run for real (`npm run docker:e2e`, which builds them first:
 * scripts/docker-e2e.sh; not part of `npm test`). Through podman's Docker API: Temporal's dev
 * server as a container of JIT_E2E_TEMPORAL_IMAGE, the orchestrator as a container of
 * JIT_E2E_ORCHESTRATOR_IMAGE (host network, the engine's socket bound at its own path, as in
 * docker/compose.yaml), which starts each session's agent as a container of the same image, whose
 * JIT is a container of JIT_E2E_JIT_IMAGE; or, with JIT_E2E_DEV=1, the orchestrator run with
 * `--dev`, whose JIT image is `jit-orchestrator`. Nothing binds the host's node or repository
 * into a container: the images carry all they run. A session plays frame-exactly in Chromium
 * (seek, step), restarts, ends, and no container of these images is left.
 */
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { chmodSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { launchBrowser, openPlayer } from '../support/browser';
import { describeWithDockerEngine } from '../support/docker-describe';
import type { DockerEngine } from '../support/docker-engine';
import { eventually } from '../support/eventually';
import { makeIndexedClip } from '../support/media';
import { connect, seekAndWait, sendAndWait, waitForFrame } from '../support/player';
import { http } from '../support/service-process';
import { freePort } from '../support/temporal';

jest.setTimeout(180_000);

const dev = process.env.JIT_E2E_DEV === '1';
const orchestratorImage = process.env.JIT_E2E_ORCHESTRATOR_IMAGE ?? 'localhost/jit-e2e-orchestrator:latest';
const temporalImage = process.env.JIT_E2E_TEMPORAL_IMAGE ?? 'localhost/jit-e2e-temporal:latest';
/** What the agents are told to run their JITs from: --dev's own choice, or the jit target. */
const jitImage = dev ? 'jit-orchestrator' : (process.env.JIT_E2E_JIT_IMAGE ?? 'localhost/jit-e2e-jit:latest');
const run = randomBytes(3).toString('hex');
/** Agent and media ports of this file only (sessions-docker.e2e.ts uses 26000…, 18300…). */
const AGENT_PORTS = [18400, 18402] as const;
const MEDIA_PORTS = [27000, 27999] as const;

describeWithDockerEngine('the built images', (engine) => describeImages(engine));

function describeImages(engine: DockerEngine): void {
  describe(`the built images, run (${dev ? 'orchestrator --dev, JIT image jit-orchestrator' : 'JIT image ' + jitImage})`, () => {
    const docker = new Docker({ socketPath: engine.socketPath });
    const started: Docker.Container[] = [];
    const imageIds = new Set<string>();
    let browser: Browser;
    let clip: string;
    let orchestrator: Docker.Container;
    let orchestratorUrl: string;
    let sessionId: string | undefined;

    const logsOf = async (container: Docker.Container) => {
      const raw = (await container.logs({ stdout: true, stderr: true, follow: false }).catch(() => Buffer.alloc(0))) as unknown as Buffer;
      // The stream's 8-byte frame headers, dropped for reading.
      const out: Buffer[] = [];
      for (let i = 0; i + 8 <= raw.length;) {
        const size = raw.readUInt32BE(i + 4);
        out.push(raw.subarray(i + 8, i + 8 + size));
        i += 8 + size;
      }
      return Buffer.concat(out).toString('utf8');
    };

    /** Containers of the three images (by id, whatever name they were started by), running or not. */
    const ours = async () =>
      (await docker.listContainers({ all: true })).filter((c) => imageIds.has(c.ImageID) || imageIds.has(`sha256:${c.ImageID}`));

    const startContainer = async (options: Docker.ContainerCreateOptions) => {
      const container = await docker.createContainer(options);
      started.push(container);
      await container.start();
      return container;
    };

    beforeAll(async () => {
      const t0 = Date.now();
      for (const image of [orchestratorImage, temporalImage, jitImage]) {
        const info = await docker.getImage(image).inspect();
        imageIds.add(info.Id);
        imageIds.add(info.Id.replace(/^sha256:/, ''));
      }
      // The orchestrator's user (node) reaches the engine through the socket's group (GroupAdd,
      // as compose's group_add): the group needs read and write on it.
      chmodSync(engine.socketPath, statSync(engine.socketPath).mode | 0o660);
      const gid = String(statSync(engine.socketPath).gid);
      const [temporalPort, orchestratorPort] = [await freePort(), await freePort()];
      [browser, clip] = await Promise.all([launchBrowser(), makeIndexedClip({ codec: 'prores', width: 640, height: 360, frames: 200 })]);
      const media = path.dirname(clip);

      await startContainer({
        name: `jit-e2e-temporal-${run}`,
        Image: temporalImage,
        Cmd: ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--headless', '--log-level', 'warn'],
        HostConfig: { NetworkMode: 'host', Init: true },
      });

      orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
      orchestrator = await startContainer({
        name: `jit-e2e-orchestrator-${run}`,
        Image: orchestratorImage,
        Cmd: dev ? ['--dev', '--host', '127.0.0.1', '--port', String(orchestratorPort)] : [],
        Env: Object.entries({
          TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
          TEMPORAL_TASK_QUEUE: `docker-e2e-${run}`,
          JIT_ORCHESTRATOR_HOST: '127.0.0.1',
          JIT_ORCHESTRATOR_PORT: String(orchestratorPort),
          JIT_INSTANCE_PROVIDER_CLASS_PATH: 'orchestrator.providers.single_instance_provider.SingleInstanceProvider',
          JIT_INSTANCE_AGENT_RUNTIME: 'docker',
          JIT_INSTANCE_AGENT_IMAGE: orchestratorImage,
          JIT_INSTANCE_AGENT_PORT_MIN: String(AGENT_PORTS[0]),
          JIT_INSTANCE_AGENT_PORT_MAX: String(AGENT_PORTS[1]),
          JIT_INSTANCE_AGENT_STATUS_POLL_INTERVAL: '1',
          ...(dev ? {} : { JIT_IMAGE: jitImage }),
          DOCKER_HOST: engine.dockerHost,
          JIT_MEDIA_ROOTS: media,
          JIT_CONTAINER_BINDS: `${media}:${media}:ro`,
          JIT_CONTAINER_PORT_MIN: String(MEDIA_PORTS[0]),
          JIT_CONTAINER_PORT_MAX: String(MEDIA_PORTS[1]),
          // Bridge network for the JITs: they announce 127.0.0.1, where their UDP ports are published.
          JIT_PUBLIC_IP: '127.0.0.1',
        }).map(([k, v]) => `${k}=${v}`),
        HostConfig: {
          NetworkMode: 'host',
          Init: true,
          GroupAdd: [gid],
          // The socket at its own path: agents get it bound from the path the orchestrator sees.
          Binds: [`${engine.socketPath}:${engine.socketPath}`, `${media}:${media}:ro`],
        },
      });
      const health = await eventually(
        () =>
          fetch(`${orchestratorUrl}/health`)
            .then((r) => r.status)
            .catch(() => 0),
        (status) => status === 200,
        90_000,
        500,
      );
      if (health !== 200) process.stderr.write(`orchestrator container log:\n${(await logsOf(orchestrator)).slice(-4000)}\n`);
      expect(health).toBe(200);
      process.stdout.write(`docker-e2e: Temporal and orchestrator containers, Chromium ready in ${Date.now() - t0} ms\n`);
    }, 240_000);

    afterAll(async () => {
      if (sessionId && orchestratorUrl) await http('DELETE', `${orchestratorUrl}/session/${sessionId}`).catch(() => undefined);
      await browser?.close();
      for (const container of started.reverse()) {
        await container.stop({ t: 10 }).catch(() => undefined);
        await container.remove({ force: true }).catch(() => undefined);
      }
      // Whatever a failed test left: agents and JITs of these images.
      for (const c of await ours().catch(() => [])) {
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      }
      await engine.stop();
    }, 90_000);

    /** Opens the JIT's own player on `whepUrl`, first frame on screen. */
    const play = async (whepUrl: string): Promise<Page> => {
      const page = await openPlayer(browser, new URL(whepUrl).origin);
      await connect(page, whepUrl);
      await waitForFrame(page, 0, 15_000);
      return page;
    };

    it('a session plays frame-exactly from the images, restarts, ends, and leaves no container', async () => {
      const t0 = Date.now();
      const created = await http('POST', `${orchestratorUrl}/session`, { inputs: [{ url: clip, id: 'picture' }] });
      process.stdout.write(`docker-e2e: POST /session → ${created.status} in ${Date.now() - t0} ms\n`);
      if (created.status !== 201) process.stderr.write(`${JSON.stringify(created.body)}\n${(await logsOf(orchestrator)).slice(-6000)}\n`);
      expect(created.status).toBe(201);
      const session = created.body;
      sessionId = session.sessionId;
      expect(session).toMatchObject({ state: 'running', restarts: 0 });
      expect(session.instance.id).toMatch(/^container-/);

      const agents = await docker.listContainers({ all: true, filters: { label: [`jit.session=${session.sessionId}`] } });
      expect(agents).toHaveLength(1);
      expect(agents[0].State).toBe('running');
      expect(imageIds.has(agents[0].ImageID) || imageIds.has(`sha256:${agents[0].ImageID}`)).toBe(true);
      const jits = (await ours()).filter((c) => c.Labels['jit.stream'] !== undefined);
      expect(jits).toHaveLength(1);
      const jitInfo = await docker.getContainer(jits[0].Id).inspect();
      expect(jitInfo.State.Running).toBe(true);
      expect(jitInfo.Config.Image).toContain(dev ? 'jit-orchestrator' : jitImage.replace(/^localhost\//, ''));
      // Nothing of the host's is bound into it but the media folder (podman adds its mount options).
      expect(jitInfo.HostConfig.Binds).toEqual([expect.stringMatching(new RegExp(`^${path.dirname(clip)}:${path.dirname(clip)}:ro\\b`))]);

      const p0 = Date.now();
      const page = await play(session.jitUrl);
      try {
        await seekAndWait(page, 120, 10_000);
        for (const [frames, expected] of [
          [1, 121],
          [-1, 120],
          [5, 125],
          [-25, 100],
        ]) {
          const seeked = await sendAndWait(page, { type: 'step', frames }, "m.type === 'seeked'", 10_000);
          expect(seeked.frame).toBe(expected);
          await waitForFrame(page, expected, 10_000);
        }
        await seekAndWait(page, 199, 10_000);
      } finally {
        await page.close();
      }
      process.stdout.write(`docker-e2e: played, seeked and stepped frame-exactly in ${Date.now() - p0} ms\n`);

      const r0 = Date.now();
      const restarted = await http('POST', `${orchestratorUrl}/session/${session.sessionId}/restart`, {});
      process.stdout.write(`docker-e2e: restart → ${restarted.status} in ${Date.now() - r0} ms\n`);
      expect(restarted).toMatchObject({ status: 201, body: { state: 'running', restarts: 1 } });
      const again = await play(restarted.body.jitUrl);
      try {
        await seekAndWait(again, 42, 10_000);
        const seeked = await sendAndWait(again, { type: 'step', frames: 1 }, "m.type === 'seeked'", 10_000);
        expect(seeked.frame).toBe(43);
        await waitForFrame(again, 43, 10_000);
      } finally {
        await again.close();
      }

      const d0 = Date.now();
      const ended = await http('DELETE', `${orchestratorUrl}/session/${session.sessionId}`);
      process.stdout.write(`docker-e2e: DELETE /session → ${ended.status} in ${Date.now() - d0} ms\n`);
      expect(ended.body).toMatchObject({ state: 'ended', endReason: 'killed' });
      sessionId = undefined;
      // Left: the orchestrator and Temporal only; no agent, no JIT.
      const left = await eventually(
        () => ours(),
        (cs) => cs.length === 2,
        30_000,
      );
      expect(left.map((c) => c.Names[0].replace(/^\//, '')).sort()).toEqual([`jit-e2e-orchestrator-${run}`, `jit-e2e-temporal-${run}`]);
    });

    it('stopping the orchestrator and Temporal leaves no container of the images', async () => {
      for (const container of [...started].reverse()) {
        await container.stop({ t: 10 }).catch((e: { statusCode?: number }) => (e.statusCode === 304 ? undefined : Promise.reject(e)));
        await container.remove({ force: true });
      }
      started.length = 0;
      expect(await ours()).toEqual([]);
    });
  });
}
