import { type ChildProcess, spawn } from 'node:child_process';
import { type AgentConfig, IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import type { Logger } from '@jit/logging';
import { JIT_MAIN } from '../jit-entry';
import { reachableHost, STOP_GRACE_S, type StreamHandle, type StreamRuntime, type JitLaunch, TextTail } from './stream-runtime';

/** Variables of the agent that its JITs must not see. */
const PRIVATE_ENV = ['JIT_AGENT_SECRET', 'DOCKER_REGISTRY_PASSWORD', 'DOCKER_REGISTRY_USERNAME', 'PUBLIC_IP'];

/** The environment of a JIT: PUBLIC_IP, its own UDP range, its session's viewer token and id. */
export function jitEnvironment(config: Pick<AgentConfig, 'publicIp'>, spec: JitLaunch): Record<string, string> {
  return {
    ...(config.publicIp ? { PUBLIC_IP: config.publicIp } : {}),
    ...(spec.viewerToken ? { JIT_VIEWER_TOKEN: spec.viewerToken } : {}),
    ...(spec.sessionId ? { JIT_SESSION_ID: spec.sessionId } : {}),
    JIT_CONTAINER_PORT_MIN: String(spec.ports.first),
    JIT_CONTAINER_PORT_MAX: String(spec.ports.last),
  };
}

/** The JIT command line: the request's, then where it listens. */
export function jitCommand(config: Pick<AgentConfig, 'verbose'>, spec: JitLaunch, host: string): string[] {
  return [...spec.args, '--host', host, '--port', String(spec.ports.first), ...(config.verbose ? ['--verbose'] : [])];
}

class ProcessHandle implements StreamHandle {
  readonly runtime = 'process' as const;
  readonly port: number;
  readonly url: string;
  readonly ref: string;
  private readonly tail = new TextTail();
  private readonly exited: Promise<number | null>;

  constructor(
    readonly id: string,
    private readonly child: ChildProcess,
    port: number,
    host: string,
  ) {
    this.port = port;
    this.url = `http://${reachableHost(host)}:${port}`;
    this.ref = `pid ${child.pid}`;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      // spawn failure (no `exit` follows an `error` for a process that never started)
      child.once('error', (error) => {
        this.tail.push(`${error.message}\n`);
        if (child.pid === undefined) resolve(null);
      });
    });
    // The JIT's JSON log lines go on to the agent's stderr, whole lines only.
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.tail.push(chunk);
      const text = partial + chunk;
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        partial = text;
        return;
      }
      process.stderr.write(text.slice(0, end + 1));
      partial = text.slice(end + 1);
    });
    child.stderr?.on('end', () => {
      if (partial) process.stderr.write(`${partial}\n`);
    });
  }

  wait(): Promise<number | null> {
    return this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_S * 1000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  stderrTail(): string {
    return this.tail.toString();
  }
}

/**
 * JITs as child processes of the agent: this Node.js running the compiled JIT
 * (dist/apps/jit/src/main.js), listening on the agent's own host. The first JIT is started with
 * the agent, ahead of its stream: it loads its modules (most of a JIT's start-up) while the
 * orchestrator is still asking for the stream, then waits on its IPC channel for the stream's
 * arguments, and exits by itself if the agent goes away first. Later streams (a restart, or an
 * agent serving several) start cold, so an agent holds no idle JIT once its session runs.
 */
export class ProcessRuntime implements StreamRuntime {
  readonly kind = 'process' as const;
  private readonly running = new Set<ProcessHandle>();
  private standby?: ChildProcess;

  constructor(
    private readonly config: AgentConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
  ) {}

  async prepare(): Promise<void> {
    this.log.info({ jit: JIT_MAIN }, 'JITs run as child processes');
    this.standby = this.spawnStandby();
  }

  async start(spec: JitLaunch): Promise<StreamHandle> {
    const argv = jitCommand(this.config, spec, this.config.host);
    const env = jitEnvironment(this.config, spec);
    const standby = this.standby;
    this.standby = undefined;
    let child: ChildProcess;
    if (standby && standby.exitCode === null && standby.signalCode === null && standby.connected) {
      standby.send({ argv, env });
      child = standby;
    } else {
      standby?.kill();
      child = this.spawnJit(argv, env);
    }
    const handle = new ProcessHandle(spec.id, child, spec.ports.first, this.config.host);
    this.running.add(handle);
    void handle.wait().then(() => this.running.delete(handle));
    return handle;
  }

  list(): StreamHandle[] {
    return [...this.running];
  }

  private spawnStandby(): ChildProcess {
    const child = this.spawnJit([], { JIT_STANDBY: '1' });
    child.once('exit', () => {
      if (this.standby === child) this.standby = undefined;
    });
    return child;
  }

  /** Every JIT gets an IPC channel: it exits when the channel closes, i.e. when this agent is gone (even killed). */
  private spawnJit(argv: string[], extraEnv: Record<string, string>): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...this.env };
    for (const name of PRIVATE_ENV) delete env[name];
    Object.assign(env, extraEnv);
    return spawn(process.execPath, [...IDLE_PROCESS_NODE_FLAGS, JIT_MAIN, ...argv], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C meant for the agent does not reach the JITs, which the
      // agent then stops one by one (SIGTERM, SIGKILL after 5 s).
      detached: true,
    });
  }
}
