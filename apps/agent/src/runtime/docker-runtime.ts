import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import type { AgentConfig } from '@jit/config';
import { demuxLogs, imageReference, pullImage } from '@jit/docker';
import type { Logger } from '@jit/logging';
import { jitCommand, jitEnvironment } from './process-runtime';
import { reachableHost, STOP_GRACE_S, type StreamHandle, type StreamRuntime, type JitLaunch, TextTail } from './stream-runtime';

/** Every JIT container carries `jit=true` and `jit.stream=<id>`. */
export const JIT_LABEL = 'jit';
export const STREAM_LABEL = 'jit.stream';

/** A Docker client for DOCKER_HOST (unix://, tcp://, http(s)://), or the engine's default socket. */
export function dockerClient(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  if (dockerHost.startsWith('npipe://')) return new Docker({ socketPath: dockerHost.slice('npipe://'.length) });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  const protocol = url.protocol === 'https:' || url.port === '2376' ? 'https' : 'http';
  return new Docker({ host: url.hostname, port: url.port || (protocol === 'https' ? 2376 : 2375), protocol });
}

const isNotFound = (error: unknown) => (error as { statusCode?: number }).statusCode === 404;

class ContainerHandle implements StreamHandle {
  readonly runtime = 'docker' as const;
  readonly url: string;
  readonly ref: string;
  private readonly tail = new TextTail();
  private readonly ended: Promise<number | null>;
  private stopping?: Promise<number | null>;

  constructor(
    readonly id: string,
    private readonly container: Docker.Container,
    readonly port: number,
    host: string,
    private readonly keep: boolean,
    private readonly log: Logger,
  ) {
    this.url = `http://${reachableHost(host)}:${port}`;
    this.ref = `container ${container.id.slice(0, 12)}`;
    this.ended = this.watch();
  }

  /** Waits for the container to end, keeps the end of its logs, removes it (unless kept). */
  private async watch(): Promise<number | null> {
    let code: number | null = null;
    try {
      const result = (await this.container.wait()) as { StatusCode?: number };
      code = typeof result.StatusCode === 'number' ? result.StatusCode : null;
    } catch (error) {
      if (!isNotFound(error)) code = await this.pollUntilStopped();
    }
    try {
      const logs = (await this.container.logs({ stdout: true, stderr: true, follow: false, tail: 200 })) as unknown as Buffer;
      this.tail.set(demuxLogs(Buffer.isBuffer(logs) ? logs : Buffer.from(String(logs))));
    } catch {
      // removed already
    }
    if (!this.keep) {
      await this.container.remove({ force: true }).catch((error: unknown) => {
        if (!isNotFound(error)) this.log.warn({ err: error, container: this.container.id }, 'could not remove the JIT container');
      });
    }
    return code;
  }

  /** When the wait request itself fails (engine restarted): inspect until the container is not running. */
  private async pollUntilStopped(): Promise<number | null> {
    for (;;) {
      try {
        const info = await this.container.inspect();
        if (!info.State.Running) return info.State.ExitCode;
      } catch (error) {
        if (isNotFound(error)) return null;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  wait(): Promise<number | null> {
    return this.ended;
  }

  stop(): Promise<number | null> {
    // The engine sends SIGTERM (to the init, which passes it on), then SIGKILL after the grace period.
    this.stopping ??= this.container
      .stop({ t: STOP_GRACE_S })
      .catch((error: unknown) => {
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 304 && status !== 404)
          this.log.warn({ err: error, container: this.container.id }, 'stopping the JIT container failed');
      })
      .then(() => this.ended);
    return this.stopping;
  }

  stderrTail(): string {
    return this.tail.toString();
  }
}

/**
 * JITs as Docker containers of JIT_IMAGE (the image's entrypoint is the JIT; the container's
 * command is the JIT's command line), labelled `jit` and `jit.stream=<id>`, with an init as PID 1.
 * Bridge network: the block's TCP port and UDP ports are published one-to-one on the agent's
 * host address; host network: the JIT listens on the agent's host address directly.
 */
export class DockerRuntime implements StreamRuntime {
  readonly kind = 'docker' as const;
  private readonly running = new Set<ContainerHandle>();
  private readonly image: string;

  constructor(
    private readonly config: AgentConfig,
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {
    this.image = imageReference(config.image);
  }

  async prepare(): Promise<void> {
    await this.cleanUp();
    await this.ensureImage();
  }

  /** --prune: non-running containers labelled jit; --remove-running: running ones. */
  private async cleanUp(): Promise<void> {
    const { prune, removeRunning } = this.config;
    if (!prune && !removeRunning) return;
    const containers = await this.docker.listContainers({ all: true, filters: { label: [JIT_LABEL] } });
    for (const c of containers) {
      const running = c.State === 'running';
      if (running ? !removeRunning : !prune) continue;
      try {
        await this.docker.getContainer(c.Id).remove({ force: true });
        this.log.info(
          { container: c.Id, name: c.Names?.[0], state: c.State },
          running ? 'removed a running jit container (--remove-running)' : 'pruned a jit container (--prune)',
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** Pulls JIT_IMAGE unless the engine has it, with DOCKER_REGISTRY_USERNAME/PASSWORD when both are set. */
  private async ensureImage(): Promise<void> {
    try {
      await this.docker.getImage(this.image).inspect();
      this.log.info({ image: this.image }, 'JITs run as Docker containers (image present)');
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await pullImage(this.docker, this.image, this.config, this.log);
    this.log.info({ image: this.image }, 'JITs run as Docker containers (image pulled)');
  }

  async start(spec: JitLaunch): Promise<StreamHandle> {
    const { config } = this;
    const bridge = config.containerNetwork === 'bridge';
    const hostIp = config.host === '0.0.0.0' || config.host === '::' ? '' : config.host;
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    if (bridge) {
      const publish = (key: string, port: number) => {
        exposed[key] = {};
        bindings[key] = [{ HostIp: hostIp, HostPort: String(port) }];
      };
      publish(`${spec.ports.first}/tcp`, spec.ports.first);
      for (let p = spec.ports.first; p <= spec.ports.last; p++) publish(`${p}/udp`, p);
    }
    // MAIN_MODULE=jit: an image whose entry point is the orchestrator's program (jit-orchestrator,
    // the JIT image of --dev) then runs a JIT; the jit image's own entry point ignores it.
    const env = { ...jitEnvironment(config, spec), MAIN_MODULE: 'jit' };
    const container = await this.docker.createContainer({
      name: `jit-${spec.id}-${randomBytes(3).toString('hex')}`,
      Image: this.image,
      Cmd: jitCommand(config, spec, bridge ? '0.0.0.0' : config.host),
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: { [JIT_LABEL]: 'true', [STREAM_LABEL]: spec.id },
      ExposedPorts: bridge ? exposed : undefined,
      HostConfig: {
        Init: true,
        AutoRemove: false,
        NetworkMode: bridge ? undefined : 'host',
        PortBindings: bridge ? bindings : undefined,
        Binds: config.containerBinds.length ? config.containerBinds : undefined,
      },
    });
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    const handle = new ContainerHandle(spec.id, container, spec.ports.first, config.host, config.keepContainers, this.log);
    this.running.add(handle);
    void handle.wait().then(() => this.running.delete(handle));
    return handle;
  }

  list(): StreamHandle[] {
    return [...this.running];
  }
}
