import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortFree } from './free-port';
import { type Instance, type InstanceProvider, ProvisionError, type ProviderContext } from './instance-provider';

const PROVIDER = 'orchestrator.providers.single_instance_provider.SingleInstanceProvider';

/**
 * Instances on this machine: an agent per session, on a free port of
 * JIT_INSTANCE_AGENT_PORT_MIN..MAX, as a child process of this same program in agent mode. The
 * child is detached and identified by its pid and port, so an orchestrator that restarts can
 * still release it.
 */
export class SingleInstanceProvider implements InstanceProvider {
  /** Ports handed out and not yet seen bound, so two provisions at once never pick the same one. */
  private readonly claimed = new Set<number>();

  constructor(private readonly context: ProviderContext) {}

  async provision(sessionId: string): Promise<Instance> {
    const { config } = this.context;
    const port = await this.claimPort();
    try {
      const logDir = resolve('.cache', 'agents');
      mkdirSync(logDir, { recursive: true });
      const logFile = join(logDir, `${sessionId}.log`);
      const out = openSync(logFile, 'a');
      const child = spawn(process.execPath, [this.context.agentEntry, 'agent'], {
        detached: true,
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          MAIN_MODULE: 'agent',
          JIT_INSTANCE_AGENT_HOST: '0.0.0.0',
          JIT_INSTANCE_AGENT_PORT: String(port),
          JIT_AGENT_SECRET: this.context.agentSecret,
          JIT_AGENT_RUNTIME: 'process',
          JIT_VERBOSE: String(config.verbose),
          JIT_IMAGE: config.jitImage,
          JIT_CONTAINER_PORT_MIN: String(config.containerPortMin),
          JIT_CONTAINER_PORT_MAX: String(config.containerPortMax),
          JIT_PRUNE: String(config.prune),
          JIT_REMOVE_RUNNING: String(config.removeRunning),
          JIT_KEEP_CONTAINERS: String(config.keepContainers),
          ...(config.publicIp ? { JIT_PUBLIC_IP: config.publicIp } : {}),
        },
      });
      closeSync(out);
      child.unref();
      if (child.pid === undefined) throw new ProvisionError(`could not start an agent process for ${sessionId}`);
      this.context.log.info({ sessionId, port, pid: child.pid, logFile }, 'agent process started');
      return {
        id: `local-${port}-${child.pid}`,
        provider: PROVIDER,
        agentUrl: `http://127.0.0.1:${port}`,
        streamHost: '127.0.0.1',
        details: { pid: String(child.pid), port: String(port), logFile },
      };
    } finally {
      // Held until the agent had time to bind it, so a concurrent provision skips it.
      setTimeout(() => this.claimed.delete(port), 30_000).unref();
    }
  }

  async release(instance: Instance): Promise<void> {
    const pid = Number(instance.details.pid);
    if (!this.isOurAgent(pid, instance.details.port)) return;
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 10_000 && this.isOurAgent(pid, instance.details.port); waited += 100) await sleep(100);
    if (this.isOurAgent(pid, instance.details.port)) process.kill(pid, 'SIGKILL');
    this.context.log.info({ instance: instance.id }, 'agent process released');
  }

  async isAlive(instance: Instance): Promise<boolean> {
    return this.isOurAgent(Number(instance.details.pid), instance.details.port);
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
