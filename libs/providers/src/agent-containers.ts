import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { OrchestratorConfig } from '@jit/config';
import { demuxLogs, dockerAnswers, imageReference, pullImage } from '@jit/docker';
import type { Logger } from '@jit/logging';

/** Agent containers carry `jit.agent=true` and `jit.session=<id>`; never `jit`, which the agents' --prune/--remove-running remove. */
export const AGENT_LABEL = 'jit.agent';
export const SESSION_LABEL = 'jit.session';
/** Where the engine's socket is mounted in an agent container. */
const SOCKET_IN_CONTAINER = '/var/run/docker.sock';
/** Seconds an agent gets after SIGTERM to stop its JITs (each gets 5 s) before it is killed. */
const AGENT_STOP_GRACE_S = 20;
/** The agent's own settings the orchestrator does not parse, passed on when set (the child-process form inherits them). */
const AGENT_PASS_THROUGH = ['JIT_CONTAINER_BINDS', 'JIT_CONTAINER_NETWORK', 'JIT_CONTAINER_PORT_BLOCK', 'JIT_STREAM_START_TIMEOUT'];

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/**
 * Agents as containers of JIT_INSTANCE_AGENT_IMAGE on the engine of DOCKER_HOST (or the default
 * socket; dockerode reads it): host network (the agent reaches its JITs on 127.0.0.1, and their
 * port blocks are the host's), the engine's socket mounted so the agent starts JIT containers.
 */
export class AgentContainers {
  readonly docker = new Docker();
  readonly image: string;

  constructor(
    private readonly config: OrchestratorConfig,
    private readonly log: Logger,
  ) {
    this.image = imageReference(config.agentImage);
  }

  /** Why agent containers cannot be had (no engine, image missing and not pullable), or undefined when they can. */
  async unavailable(): Promise<string | undefined> {
    if (!(await dockerAnswers(this.docker))) return `no Docker engine answers at ${this.engine()}`;
    try {
      await this.docker.getImage(this.image).inspect();
      return undefined;
    } catch (error) {
      if (statusOf(error) !== 404) return `the engine at ${this.engine()} cannot inspect ${this.image}: ${(error as Error).message}`;
    }
    try {
      await this.pull();
      return undefined;
    } catch (error) {
      return `the agent image ${this.image} is not on the engine and cannot be pulled: ${(error as Error).message}`;
    }
  }

  private engine(): string {
    return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  }

  private pull(): Promise<void> {
    return pullImage(this.docker, this.image, this.config, this.log);
  }

  /** Starts the agent of `sessionId` on `port` (host network); resolves with the container id once it runs. */
  async start(sessionId: string, port: number, env: Record<string, string>): Promise<{ containerId: string; name: string }> {
    const socketPath = await (this.docker.modem as unknown as { getSocketPath(): Promise<string | undefined> }).getSocketPath();
    const dockerHost = socketPath ? `unix://${SOCKET_IN_CONTAINER}` : process.env.DOCKER_HOST;
    const passed = Object.fromEntries(AGENT_PASS_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
    const { registryUsername, registryPassword } = this.config;
    const environment: Record<string, string> = {
      ...passed,
      ...env,
      JIT_AGENT_RUNTIME: 'docker',
      ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}),
      ...(registryUsername && registryPassword
        ? { DOCKER_REGISTRY_USERNAME: registryUsername, DOCKER_REGISTRY_PASSWORD: registryPassword }
        : {}),
    };
    const name = `jit-agent-${sessionId}-${randomBytes(3).toString('hex')}`;
    const container = await this.docker.createContainer({
      name,
      Image: this.image,
      Labels: {
        [AGENT_LABEL]: 'true',
        [SESSION_LABEL]: sessionId,
        'jit.agent.port': String(port),
        'jit.orchestrator': this.config.orchestratorId,
      },
      Env: Object.entries(environment).map(([k, v]) => `${k}=${v}`),
      HostConfig: {
        Init: true,
        NetworkMode: 'host',
        Binds: [...(socketPath ? [`${socketPath}:${SOCKET_IN_CONTAINER}`] : []), ...this.config.agentBinds],
        // The image runs as a non-root user: the socket's group lets it start JIT containers.
        ...(socketPath && existsSync(socketPath) ? { GroupAdd: [String(statSync(socketPath).gid)] } : {}),
      },
    });
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    return { containerId: container.id, name };
  }

  /** Whether the container runs and is one of our agents. */
  async running(containerId: string): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(containerId).inspect();
      return info.State.Running && info.Config.Labels?.[AGENT_LABEL] === 'true';
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * SIGTERM (the agent stops its JITs), SIGKILL after AGENT_STOP_GRACE_S, then removal; its log
   * is kept in `logFile` when given. A container already gone is fine.
   */
  async stop(containerId: string): Promise<string | undefined> {
    const container = this.docker.getContainer(containerId);
    try {
      await container.stop({ t: AGENT_STOP_GRACE_S });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return undefined;
      if (status !== 304) throw error;
    }
    let logs: string | undefined;
    try {
      logs = demuxLogs((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
    } catch {
      // no logs: nothing to keep
    }
    try {
      await container.remove({ force: true });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return logs;
  }
}
