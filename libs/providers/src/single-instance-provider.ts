import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import { AgentContainers } from './agent-containers';
import { AgentSpares, type SpareAgent } from './agent-spares';
import { isPortFree } from './free-port';
import { type Instance, type InstanceProvider, ProvisionError, type ProviderContext } from './instance-provider';

const PROVIDER = 'orchestrator.providers.single_instance_provider.SingleInstanceProvider';

/**
 * Instances on this machine: an agent per session, on a free port of
 * JIT_INSTANCE_AGENT_PORT_MIN..MAX, in one of two forms (JIT_INSTANCE_AGENT_RUNTIME):
 * - `process`: a child process of this same program in agent mode, detached and identified by its
 *   pid and port, so an orchestrator that restarts can still release it;
 * - `docker`: a container of JIT_INSTANCE_AGENT_IMAGE (see AgentContainers), identified by its
 *   container id; its JITs run as containers too.
 * `auto` (the default) is docker when a Docker engine answers and the agent image is there or can
 * be pulled, else process; the choice and its reason are logged once, at the first provision.
 * In the process form, JIT_INSTANCE_AGENT_SPARES agents are kept started ahead of sessions.
 */
export class SingleInstanceProvider implements InstanceProvider {
  /** Ports handed out and not yet seen bound, so two provisions at once never pick the same one. */
  private readonly claimed = new Set<number>();

  private containers?: AgentContainers;
  /** The runtime `auto` chose (or `docker` confirmed), once. */
  private choice?: Promise<'docker' | 'process'>;

  private readonly spares: AgentSpares;

  constructor(private readonly context: ProviderContext) {
    const { agentSpares, agentPortMin, agentPortMax } = context.config;
    this.spares = new AgentSpares(
      agentSpares,
      resolve('.cache', 'agents', 'spares', `${agentPortMin}-${agentPortMax}`),
      {
        spawn: () => this.spawnSpare(),
        isOurs: (pid, port) => this.isOurAgent(pid, String(port)),
        kill: async (pid, port) => void (await this.stopAgent(pid, String(port))),
      },
      context.log,
    );
  }

  /** Starts the spare agents (process form only: a container's start-up is the engine's). */
  async start(): Promise<void> {
    if ((await this.runtime()) === 'process') await this.spares.start();
  }

  async stop(): Promise<void> {
    await this.spares.stop();
  }

  async provision(sessionId: string): Promise<Instance> {
    const runtime = await this.runtime();
    const spare = runtime === 'process' ? this.spares.take() : undefined;
    if (spare) {
      this.context.log.info({ sessionId, port: spare.port, pid: spare.pid, logFile: spare.logFile }, 'spare agent taken');
      return this.processInstance(spare);
    }
    const port = await this.claimPort();
    try {
      return runtime === 'docker' ? await this.provisionContainer(sessionId, port) : this.provisionProcess(sessionId, port);
    } finally {
      // Held until the agent had time to bind it, so a concurrent provision skips it.
      setTimeout(() => this.claimed.delete(port), 30_000).unref();
    }
  }

  /** Readiness: a session could get an agent now, a spare waiting or a free agent port. */
  async checkReady(): Promise<Record<string, unknown>> {
    const { agentPortMin, agentPortMax, agentRuntime } = this.context.config;
    if (this.spares.waiting > 0) return { agentRuntime, spareAgents: this.spares.waiting };
    for (let port = agentPortMin; port <= agentPortMax; port++) {
      if (!this.claimed.has(port) && (await isPortFree(port))) return { agentRuntime, freeAgentPort: port };
    }
    throw new Error(`no free agent port in ${agentPortMin}..${agentPortMax} (JIT_INSTANCE_AGENT_PORT_MIN/MAX) and no spare agent`);
  }

  async release(instance: Instance): Promise<void> {
    this.claimed.delete(Number(instance.details.port));
    if (instance.details.containerId) return this.releaseContainer(instance);
    if (await this.stopAgent(Number(instance.details.pid), instance.details.port))
      this.context.log.info({ instance: instance.id }, 'agent process released');
  }

  /** SIGTERM, then SIGKILL after 10 s; false when the pid was not (or no longer) our agent. */
  private async stopAgent(pid: number, port: string | undefined): Promise<boolean> {
    if (!this.isOurAgent(pid, port)) return false;
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 10_000 && this.isOurAgent(pid, port); waited += 100) await sleep(100);
    if (this.isOurAgent(pid, port)) process.kill(pid, 'SIGKILL');
    return true;
  }

  async isAlive(instance: Instance): Promise<boolean> {
    if (instance.details.containerId) return this.agentContainers().running(instance.details.containerId);
    return this.isOurAgent(Number(instance.details.pid), instance.details.port);
  }

  private agentContainers(): AgentContainers {
    this.containers ??= new AgentContainers(this.context.config, this.context.log);
    return this.containers;
  }

  /** `process` and `docker` as configured (docker checked once: engine and image); `auto` decides once, logging why. */
  private runtime(): Promise<'docker' | 'process'> {
    const { config, log } = this.context;
    if (config.agentRuntime === 'process') return Promise.resolve('process');
    this.choice ??= (async () => {
      const image = config.agentImage;
      let why: string | undefined;
      try {
        why = await this.agentContainers().unavailable();
      } catch (error) {
        why = (error as Error).message;
      }
      if (!why) {
        log.info({ runtime: config.agentRuntime, image }, 'agents run as Docker containers');
        return 'docker' as const;
      }
      if (config.agentRuntime === 'docker') throw new ProvisionError(`JIT_INSTANCE_AGENT_RUNTIME=docker: ${why}`);
      log.info({ reason: why }, 'JIT_INSTANCE_AGENT_RUNTIME=auto: agents run as child processes');
      return 'process' as const;
    })();
    // A docker runtime that cannot be had is retried at the next provision.
    return this.choice.catch((error) => {
      this.choice = undefined;
      throw error;
    });
  }

  /**
   * The agent on agent port `port` gets its own slice of JIT_CONTAINER_PORT_MIN..MAX, one slice
   * per agent port: agents started at the same moment cannot hand the same ports to their JITs.
   */
  private mediaPorts(port: number): { JIT_CONTAINER_PORT_MIN: string; JIT_CONTAINER_PORT_MAX: string } {
    const { containerPortMin, containerPortMax, agentPortMin, agentPortMax } = this.context.config;
    const slice = Math.floor((containerPortMax - containerPortMin + 1) / (agentPortMax - agentPortMin + 1));
    const first = containerPortMin + (port - agentPortMin) * slice;
    return { JIT_CONTAINER_PORT_MIN: String(first), JIT_CONTAINER_PORT_MAX: String(first + slice - 1) };
  }

  /** What an agent gets in its environment, whichever form it runs in. */
  private agentEnvironment(port: number, runtime: 'docker' | 'process'): Record<string, string> {
    const { config } = this.context;
    return {
      MAIN_MODULE: 'agent',
      JIT_INSTANCE_AGENT_HOST: '0.0.0.0',
      JIT_INSTANCE_AGENT_PORT: String(port),
      JIT_AGENT_SECRET: this.context.agentSecret,
      JIT_AGENT_RUNTIME: runtime,
      JIT_VERBOSE: String(config.verbose),
      JIT_IMAGE: config.jitImage,
      ...this.mediaPorts(port),
      JIT_PRUNE: String(config.prune),
      JIT_REMOVE_RUNNING: String(config.removeRunning),
      JIT_KEEP_CONTAINERS: String(config.keepContainers),
      ...(config.publicIp ? { JIT_PUBLIC_IP: config.publicIp } : {}),
    };
  }

  private async provisionContainer(sessionId: string, port: number): Promise<Instance> {
    let started: { containerId: string; name: string };
    try {
      started = await this.agentContainers().start(sessionId, port, this.agentEnvironment(port, 'docker'));
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // The engine refusing the container (bad image, bad bind) will refuse it again.
      if (status !== undefined && status >= 400 && status < 500)
        throw new ProvisionError(`the engine refused the agent container: ${(error as Error).message}`);
      throw error;
    }
    const { containerId, name } = started;
    this.context.log.info({ sessionId, port, containerId, name, image: this.agentContainers().image }, 'agent container started');
    return {
      id: `container-${port}-${containerId.slice(0, 12)}`,
      provider: PROVIDER,
      agentUrl: `http://127.0.0.1:${port}`,
      streamHost: '127.0.0.1',
      details: {
        runtime: 'docker',
        containerId,
        containerName: name,
        port: String(port),
        logFile: join(resolve('.cache', 'agents'), `${sessionId}.log`),
      },
    };
  }

  private async releaseContainer(instance: Instance): Promise<void> {
    const logs = await this.agentContainers().stop(instance.details.containerId);
    if (logs !== undefined && instance.details.logFile) {
      try {
        mkdirSync(resolve(instance.details.logFile, '..'), { recursive: true });
        writeFileSync(instance.details.logFile, logs, { flag: 'a' });
      } catch {
        // the log is a convenience
      }
    }
    this.context.log.info({ instance: instance.id, containerId: instance.details.containerId }, 'agent container released');
  }

  private provisionProcess(sessionId: string, port: number): Instance {
    const agent = this.spawnAgent(sessionId, port);
    this.context.log.info({ sessionId, port, pid: agent.pid, logFile: agent.logFile }, 'agent process started');
    return this.processInstance(agent);
  }

  private async spawnSpare(): Promise<SpareAgent | undefined> {
    let port: number;
    try {
      port = await this.claimPort();
    } catch {
      return undefined;
    }
    setTimeout(() => this.claimed.delete(port), 30_000).unref();
    return this.spawnAgent(`spare-${port}-${Date.now()}`, port);
  }

  /** A detached agent process on `port`, logging to .cache/agents/<name>.log. */
  private spawnAgent(name: string, port: number): SpareAgent {
    const logDir = resolve('.cache', 'agents');
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${name}.log`);
    const out = openSync(logFile, 'a');
    const child = spawn(process.execPath, [...IDLE_PROCESS_NODE_FLAGS, this.context.agentEntry, 'agent'], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...this.agentEnvironment(port, 'process') },
    });
    closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new ProvisionError(`could not start an agent process for ${name}`);
    return { port, pid: child.pid, logFile };
  }

  private processInstance({ port, pid, logFile }: SpareAgent): Instance {
    return {
      id: `local-${port}-${pid}`,
      provider: PROVIDER,
      agentUrl: `http://127.0.0.1:${port}`,
      streamHost: '127.0.0.1',
      details: { pid: String(pid), port: String(port), logFile },
    };
  }

  /** The pid still runs the agent we started (a recycled pid is someone else's process). */
  private isOurAgent(pid: number, port: string | undefined): boolean {
    try {
      process.kill(pid, 0);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      return environ.includes(`JIT_INSTANCE_AGENT_PORT=${port}`) && environ.includes('MAIN_MODULE=agent');
    } catch {
      return false;
    }
  }

  private async claimPort(): Promise<number> {
    const { agentPortMin, agentPortMax } = this.context.config;
    for (let port = agentPortMin; port <= agentPortMax; port++) {
      if (this.claimed.has(port) || !(await isPortFree(port))) continue;
      this.claimed.add(port);
      return port;
    }
    throw new ProvisionError(`no free agent port in ${agentPortMin}..${agentPortMax} (JIT_INSTANCE_AGENT_PORT_MIN/MAX)`);
  }
}
