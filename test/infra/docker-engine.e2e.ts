/**
 * The Docker Engine API the agent's Docker provider talks to (dockerode), served here by podman
 * (scripts/podman-docker.sh) or by DOCKER_HOST's engine: a local image made without a registry,
 * a labelled container running the host's node with read-only binds, a published TCP port reached
 * from the test, listing by label, stop, remove, and the container gone.
 *
 * No engine: the engine is started while this file is loaded, so the choice between running and
 * skipping is made before the tests are defined. Without an engine the file fails with the
 * reason (one failing test), because CI must have one (the script installs podman as root);
 * JIT_ALLOW_NO_DOCKER=1 turns that into skipped tests whose titles carry the reason.
 */
import Docker from 'dockerode';
import { randomUUID } from 'node:crypto';
import { demuxLogs } from '@jit/docker';
import { describeWithDockerEngine } from '../support/docker-describe';
import { ensureLocalImage, hostBinds, type DockerEngine } from '../support/docker-engine';

jest.setTimeout(60_000);

const image = 'jit-test-base:latest';
const runId = randomUUID();
const labels = { jit: 'true', 'jit.test-run': runId };

async function waitForHttp(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return await res.text();
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

describeWithDockerEngine('Docker engine API', describeEngine);

function describeEngine(engine: DockerEngine): void {
  describe(`Docker engine API (${engine.owned ? 'podman service started by the test' : 'DOCKER_HOST'}: ${engine.dockerHost})`, () => {
    const docker = new Docker({ socketPath: engine.socketPath });

    beforeAll(async () => {
      await ensureLocalImage(image);
    }, 120_000);

    afterAll(async () => {
      // Whatever a failed test left behind.
      const left = await docker.listContainers({ all: true, filters: { label: [`jit.test-run=${runId}`] } }).catch(() => []);
      for (const c of left)
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      await engine.stop();
    }, 60_000);

    it('answers the Docker API and has the local image (nothing pulled)', async () => {
      expect(await docker.ping()).toBeTruthy();
      const version = await docker.version();
      expect(version.ApiVersion).toMatch(/^1\.\d+$/);
      const info = await docker.getImage(image).inspect();
      expect(info.Id).toBeTruthy();
    });

    it(`runs the host's node in a container from the local image: node -e "console.log(1)"`, async () => {
      const container = await docker.createContainer({
        Image: image,
        Labels: labels,
        Cmd: [process.execPath, '-e', 'console.log(1)'],
        HostConfig: { Binds: hostBinds() },
      });
      try {
        await container.start();
        const exit = (await container.wait()) as { StatusCode: number };
        const logs = demuxLogs((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
        expect({ status: exit.StatusCode, logs }).toEqual({ status: 0, logs: '1\n' });
      } finally {
        await container.remove({ force: true });
      }
    });

    it('serves HTTP on a published port, lists it by label, stops and removes it', async () => {
      const server = [
        `const os = require('node:os');`,
        `require('node:http').createServer((req, res) => {`,
        `  res.setHeader('content-type', 'application/json');`,
        `  res.end(JSON.stringify({ hostname: os.hostname(), node: process.version, pid: process.pid, path: req.url }));`,
        `}).listen(8080, '0.0.0.0', () => console.log('listening'));`,
        `process.on('SIGTERM', () => process.exit(0));`,
      ].join('\n');
      const t0 = Date.now();
      const container = await docker.createContainer({
        Image: image,
        Labels: labels,
        Cmd: [process.execPath, '-e', server],
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: {
          Binds: hostBinds(),
          // An init (catatonit) as PID 1 forwards signals and reaps children.
          Init: true,
          // Loopback only, on a port the engine picks.
          PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      });
      const id = container.id;
      await container.start();
      const inspected = await container.inspect();
      const hostPort = inspected.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
      expect(hostPort).toMatch(/^\d+$/);

      const body = JSON.parse(await waitForHttp(`http://127.0.0.1:${hostPort}/hello`, 15_000)) as Record<string, unknown>;
      const readyMs = Date.now() - t0;
      expect(body).toMatchObject({ node: process.version, path: '/hello' });
      // Its own UTS namespace: the hostname is the container's short id, not this host's.
      expect(id.startsWith(String(body.hostname))).toBe(true);

      const listed = await docker.listContainers({ filters: { label: ['jit=true', `jit.test-run=${runId}`] } });
      expect(listed.map((c) => c.Id)).toContain(id);
      expect(listed.find((c) => c.Id === id)?.State).toBe('running');

      const tStop = Date.now();
      await container.stop({ t: 5 });
      const stopMs = Date.now() - tStop;
      expect((await container.inspect()).State.Running).toBe(false);
      await container.remove();

      await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
      const after = await docker.listContainers({ all: true, filters: { label: [`jit.test-run=${runId}`] } });
      expect(after).toHaveLength(0);
      await expect(fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      console.log(`container answered on 127.0.0.1:${hostPort} ${readyMs} ms after create; stop took ${stopMs} ms`);
    });
  });
}
