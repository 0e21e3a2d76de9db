import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@jit/logging';

/** An agent process started ahead of any session. */
export interface SpareAgent {
  port: number;
  pid: number;
  logFile: string;
}

export interface SpareAgentHooks {
  /** Starts a detached agent process on a free agent port; undefined when no port is free. */
  spawn(): Promise<SpareAgent | undefined>;
  /** Whether the pid still runs the agent started on that port. */
  isOurs(pid: number, port: number): boolean;
  /** Stops that agent (SIGTERM, then SIGKILL). */
  kill(pid: number, port: number): Promise<void>;
}

/**
 * Agent processes kept started ahead of sessions, so a session skips the agent's and its first
 * JIT's start-up (about a second of Node module loading on two cores). Each spare is recorded in
 * a file of `dir` until a session takes it: spares an orchestrator left behind when it was killed
 * are found there and stopped at the next start; agents of sessions are never in it.
 */
export class AgentSpares {
  private readonly ready: SpareAgent[] = [];
  private refilling?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly count: number,
    private readonly dir: string,
    private readonly hooks: SpareAgentHooks,
    private readonly log: Logger,
  ) {}

  /** Stops the spares a previous run left, then starts this run's. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      const spare = this.read(name);
      if (spare && this.hooks.isOurs(spare.pid, spare.port)) {
        await this.hooks.kill(spare.pid, spare.port);
        this.log.info({ port: spare.port, pid: spare.pid }, 'stopped a spare agent left by an earlier run');
      }
      rmSync(join(this.dir, name), { force: true });
    }
    this.refill(0);
  }

  /** Spares started and waiting for a session. */
  get waiting(): number {
    return this.ready.length;
  }

  /** A spare for a session, if one is there; another is started a little later. */
  take(): SpareAgent | undefined {
    while (this.ready.length > 0) {
      const spare = this.ready.shift()!;
      rmSync(this.file(spare.port), { force: true });
      if (this.hooks.isOurs(spare.pid, spare.port)) {
        // Later, so the next spare's start-up does not compete for the CPU with this session's.
        this.refill(REFILL_DELAY_MS);
        return spare;
      }
    }
    this.refill(0);
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.refilling;
    await Promise.all(
      this.ready.splice(0).map(async (spare) => {
        await this.hooks.kill(spare.pid, spare.port);
        rmSync(this.file(spare.port), { force: true });
      }),
    );
  }

  private refill(delayMs: number): void {
    if (this.refilling || this.count === 0) return;
    this.refilling = (async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      while (!this.stopped && this.ready.length < this.count) {
        const spare = await this.hooks.spawn();
        if (!spare) break;
        writeFileSync(this.file(spare.port), JSON.stringify(spare));
        this.ready.push(spare);
        this.log.info({ port: spare.port, pid: spare.pid }, 'spare agent started');
      }
    })()
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not start a spare agent'))
      .finally(() => {
        this.refilling = undefined;
      });
  }

  private file(port: number): string {
    return join(this.dir, `${port}.json`);
  }

  private read(name: string): SpareAgent | undefined {
    try {
      const spare = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as Partial<SpareAgent>;
      return Number.isInteger(spare.pid) && Number.isInteger(spare.port) ? (spare as SpareAgent) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Delay before replacing a spare that a session took. */
const REFILL_DELAY_MS = 3000;
