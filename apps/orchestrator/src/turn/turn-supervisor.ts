import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { stunAnswers } from './stun-probe';
import { turnFiles, turnserverArgs, turnserverConfigFile } from './turnserver-command';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
/** Restart delays double from the first to the last; a run longer than STABLE_MS starts over. */
const FIRST_RESTART_DELAY_MS = 500;
const LAST_RESTART_DELAY_MS = 30_000;
const STABLE_MS = 60_000;

/** The program at `command` (a path, or a name looked up on PATH), or a message saying what to install. */
export function resolveTurnserver(command: string, envPath = process.env.PATH ?? ''): string {
  const candidates = command.includes('/')
    ? [command]
    : envPath
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `--turn/JIT_TURN: the TURN server "${command}" (JIT_TURN_SERVER_PATH) is not installed; install Debian's coturn ` +
      '(apt-get install coturn; scripts/setup.sh does it when JIT_TURN is set)',
  );
}

/**
 * Runs coturn as a child process while the orchestrator runs: started (and answering STUN) before
 * the API listens, restarted with a growing delay when it exits by itself, stopped on shutdown.
 */
export class TurnSupervisor {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  private readonly program: string;
  private readonly args: string[];

  constructor(
    private readonly config: OrchestratorConfig,
    private readonly secret: string,
    private readonly log: Logger,
  ) {
    this.program = resolveTurnserver(config.turnServerPath);
    this.args = turnserverArgs(config);
  }

  /** Starts coturn; resolves once it answers a STUN Binding request on its port. */
  async start(): Promise<void> {
    const files = turnFiles(this.config.turnDataDir);
    await mkdir(this.config.turnDataDir, { recursive: true });
    await writeFile(files.config, turnserverConfigFile(this.secret), { mode: 0o600 });
    await this.endLeftover(files.pid);
    // coturn shares its port (SO_REUSEPORT) with any other coturn there, which would then take part of the traffic.
    if (await stunAnswers('127.0.0.1', this.config.turnPort, 300)) {
      throw new Error(`another STUN/TURN server already answers on port ${this.config.turnPort} (JIT_TURN_PORT)`);
    }
    const child = this.spawn();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await stunAnswers('127.0.0.1', this.config.turnPort, 500))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await this.stop(); // no restart behind a start-up that failed
        throw new Error(`the TURN server did not answer STUN on port ${this.config.turnPort} (see its log lines above)`);
      }
    }
    this.log.info({ turnPort: this.config.turnPort, turnserverPid: child.pid, tls: Boolean(this.config.turnTlsCert) }, 'TURN server ready');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(killer);
    this.log.info({ turnserverPid: child.pid }, 'TURN server stopped');
  }

  private spawn(): ChildProcess {
    const child = spawn(this.program, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const started = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        if (/error|cannot|can't/i.test(line)) this.log.warn({ turnserverPid: child.pid }, line);
        else this.log.debug({ turnserverPid: child.pid }, line);
      });
    }
    child.on('error', (error) => this.log.error({ err: error }, 'TURN server could not be started'));
    child.on('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      if (Date.now() - started > STABLE_MS) this.restartDelayMs = FIRST_RESTART_DELAY_MS;
      const delayMs = this.restartDelayMs;
      this.restartDelayMs = Math.min(this.restartDelayMs * 2, LAST_RESTART_DELAY_MS);
      this.log.error({ turnserverPid: child.pid, code, signal, restartInMs: delayMs }, 'TURN server exited; restarting it');
      void sleep(delayMs).then(() => {
        if (!this.stopping) this.spawn();
      });
    });
    this.log.info({ turnserverPid: child.pid, program: this.program }, 'TURN server started');
    return child;
  }

  /** A coturn of ours left running by an orchestrator that was killed holds the ports: end it. */
  private async endLeftover(pidFile: string): Promise<void> {
    const pid = Number(readFileOr(pidFile).trim());
    const ours = () => pid > 0 && readFileOr(`/proc/${pid}/cmdline`).includes(turnFiles(this.config.turnDataDir).config);
    if (!ours()) return;
    this.log.warn({ turnserverPid: pid }, 'ending a TURN server left running by an earlier orchestrator');
    process.kill(pid, 'SIGKILL');
    for (let waited = 0; ours() && waited < 2000; waited += 50) await sleep(50);
  }
}

function readFileOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
