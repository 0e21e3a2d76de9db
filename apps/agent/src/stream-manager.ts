import { JitStartError, JitStartTimeoutError, StreamConflictError, UnknownStreamError } from '@jit/errors';
import type { Logger } from '@jit/logging';
import type { AgentStatus, AgentStreamStatus, RuntimeKind, StreamRequest, StreamStarted, StreamState } from '@jit/protocol';
import { fetchJitStatus, jitHealthy } from './jit-client';
import type { PortBlocks } from './ports';
import type { StreamHandle, StreamRuntime } from './runtime/stream-runtime';

interface Entry {
  id: string;
  state: StreamState;
  runtime: RuntimeKind;
  port: number;
  startedAt: Date;
  exitCode?: number | null;
  handle?: StreamHandle;
  /** What the JIT requires from its viewers, and from /status calls. */
  viewerToken?: string;
  /** Log fields of this stream: its id, and its session when the orchestrator said which. */
  logFields: { stream: string; sessionId?: string };
  /** DELETE came while it was starting. */
  cancelled?: boolean;
}

/** Tries at starting a JIT when its port turns out to be taken (by another agent on this machine). */
const START_ATTEMPTS = 3;

function isPortClash(error: unknown): boolean {
  return error instanceof JitStartError && /EADDRINUSE|address already in use/i.test(`${error.message}\n${error.stderr}`);
}

/** Exited streams kept in the status (the oldest are forgotten first). */
const MAX_EXITED = 50;

/** The last lines of a JIT's stderr that say what went wrong: its `jit: …` lines, else the last line. */
export function errorLines(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const own = lines.filter((l) => l.startsWith('jit: '));
  if (own.length) return own.slice(-3).join(' | ');
  const last = lines.at(-1);
  if (!last) return '';
  try {
    const json = JSON.parse(last) as { msg?: string; err?: { message?: string } };
    return [json.msg, json.err?.message].filter(Boolean).join(': ') || last;
  } catch {
    return last;
  }
}

/**
 * The streams of this instance: starts JITs through the runtime, answers for their state, stops
 * them. Idle time for the orchestrator's watchdog (`idleSince`):
 *   - no stream starting or running: when the last one ended (or the agent's start);
 *   - a stream starting, or a viewer connected to any JIT: null (busy);
 *   - JITs running without viewers: the latest viewer activity among them (now − idleSeconds).
 */
export class StreamManager {
  private readonly streams = new Map<string, Entry>();
  private lastActiveEnd: Date;

  constructor(
    private readonly runtime: StreamRuntime,
    private readonly ports: PortBlocks,
    private readonly log: Logger,
    private readonly startTimeoutS: number,
    /** The agent's start (`upSince`). */
    readonly upSince = new Date(),
  ) {
    this.lastActiveEnd = upSince;
  }

  get runtimeKind(): RuntimeKind {
    return this.runtime.kind;
  }

  async start(request: StreamRequest, args: string[]): Promise<StreamStarted> {
    const { id } = request;
    const existing = this.streams.get(id);
    if (existing && existing.state !== 'exited') throw new StreamConflictError(`stream ${id} is already ${existing.state}`);
    const entry: Entry = {
      id,
      state: 'starting',
      runtime: this.runtime.kind,
      port: 0,
      startedAt: new Date(),
      viewerToken: request.viewerToken,
      logFields: { stream: id, ...(request.sessionId ? { sessionId: request.sessionId } : {}) },
    };
    this.streams.set(id, entry);
    const t0 = Date.now();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.startOnce(entry, args);
          break;
        } catch (error) {
          // Another program (another agent on this machine) took the block's port between our
          // check and the JIT's bind: the next block.
          if (attempt >= START_ATTEMPTS || entry.cancelled || !isPortClash(error)) throw error;
          this.log.warn({ ...entry.logFields, port: entry.port, attempt }, 'the JIT port was taken meanwhile; trying the next block');
        }
      }
      entry.state = 'running';
      this.log.info({ ...entry.logFields, port: entry.port, ms: Date.now() - t0 }, 'JIT running');
      return { id, port: entry.port, runtime: entry.runtime };
    } catch (error) {
      if (this.streams.get(id) === entry) this.streams.delete(id);
      this.noteEnd();
      this.log.warn({ ...entry.logFields, err: error, ms: Date.now() - t0 }, 'JIT start failed');
      throw error;
    }
  }

  /** One try: a port block, the JIT, its /health. */
  private async startOnce(entry: Entry, args: string[]): Promise<void> {
    const { id } = entry;
    const block = await this.ports.acquire();
    entry.port = block.first;
    let handle: StreamHandle;
    try {
      handle = await this.runtime.start({ id, args, ports: block, viewerToken: entry.viewerToken, sessionId: entry.logFields.sessionId });
    } catch (error) {
      this.ports.release(block);
      // e.g. the engine refused the container: no JIT ran, so no stderr
      throw new JitStartError(`the JIT could not be started (${this.runtime.kind}): ${(error as Error).message}`, null, '');
    }
    entry.handle = handle;
    void handle.wait().then((code) => {
      this.ports.release(block);
      if (entry.handle !== handle) return;
      if (entry.state === 'running') this.log.info({ ...entry.logFields, exitCode: code, ref: handle.ref }, 'JIT ended');
      if (this.streams.get(id) === entry && entry.state !== 'exited') {
        entry.state = 'exited';
        entry.exitCode = code;
      }
      this.noteEnd();
    });
    this.log.info({ ...entry.logFields, port: handle.port, runtime: handle.runtime, ref: handle.ref, args }, 'JIT starting');
    await this.waitUntilHealthy(entry, handle);
  }

  private async waitUntilHealthy(entry: Entry, handle: StreamHandle): Promise<void> {
    let exit: { code: number | null } | undefined;
    void handle.wait().then((code) => (exit = { code }));
    const deadline = Date.now() + this.startTimeoutS * 1000;
    for (;;) {
      if (entry.cancelled) {
        await handle.stop();
        throw new JitStartError(`stream ${entry.id} was deleted during start-up`, null, handle.stderrTail());
      }
      if (exit) break;
      if (await jitHealthy(handle.url, 1000)) return;
      if (exit) break;
      if (Date.now() > deadline) {
        await handle.stop();
        throw new JitStartTimeoutError(
          `the JIT did not answer /health within ${this.startTimeoutS} s (JIT_STREAM_START_TIMEOUT); it was stopped`,
        );
      }
      await Promise.race([new Promise((r) => setTimeout(r, 50)), handle.wait()]);
    }
    // wait() resolves after the runtime has collected the logs.
    const code = await handle.wait();
    const stderr = handle.stderrTail();
    const reason = errorLines(stderr);
    throw new JitStartError(`the JIT exited with code ${code} during start-up${reason ? `: ${reason}` : ''}`, code, stderr.slice(-4000));
  }

  /** Stops a stream (SIGTERM, SIGKILL after 5 s) and forgets it; resolves once the JIT is gone. */
  async stop(id: string): Promise<{ id: string; state: 'exited'; exitCode: number | null }> {
    const entry = this.streams.get(id);
    if (!entry) throw new UnknownStreamError(`no stream ${id}`);
    const t0 = Date.now();
    let exitCode = entry.exitCode ?? null;
    const wasActive = entry.state !== 'exited';
    if (wasActive) {
      if (!entry.handle) {
        // Still getting its ports or its container: start() stops it as soon as it has a handle.
        entry.cancelled = true;
        while (!entry.handle && this.streams.get(id) === entry) await new Promise((r) => setTimeout(r, 20));
      }
      if (entry.handle) exitCode = await entry.handle.stop();
    }
    if (this.streams.get(id) === entry) this.streams.delete(id);
    if (wasActive) this.noteEnd();
    this.log.info({ ...entry.logFields, exitCode, ms: Date.now() - t0 }, 'stream stopped');
    return { id, state: 'exited', exitCode };
  }

  /** Every stream, stopped at once (agent shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((id) => this.stop(id).catch(() => undefined)));
    await Promise.all(this.runtime.list().map((h) => h.stop()));
  }

  async status(): Promise<AgentStatus> {
    const entries = [...this.streams.values()];
    const statuses = await Promise.all(
      entries.map((e) => (e.state === 'running' && e.handle ? fetchJitStatus(e.handle.url, e.viewerToken) : Promise.resolve(undefined))),
    );
    const now = Date.now();
    const streams = entries.map((e, i): AgentStreamStatus => ({
      id: e.id,
      state: e.state,
      runtime: e.runtime,
      port: e.port,
      whepPath: '/whep',
      startedAt: e.startedAt.toISOString(),
      ...(e.state === 'exited' ? { exitCode: e.exitCode ?? null } : {}),
      ...(statuses[i] ? { jit: statuses[i] } : {}),
    }));
    const active = entries.filter((e) => e.state !== 'exited');
    let idleSince: Date | null;
    if (active.length === 0) {
      idleSince = this.lastActiveEnd;
    } else if (active.some((e) => e.state === 'starting') || statuses.some((s) => s && s.viewers > 0)) {
      idleSince = null;
    } else {
      // A running JIT that did not answer counts from its start.
      const last = entries.map((e, i) =>
        e.state !== 'running' ? 0 : statuses[i] ? now - statuses[i].idleSeconds * 1000 : e.startedAt.getTime(),
      );
      idleSince = new Date(Math.max(...last));
    }
    return { upSince: this.upSince.toISOString(), idleSince: idleSince?.toISOString() ?? null, streams };
  }

  private noteEnd(): void {
    const exited = [...this.streams.values()].filter((e) => e.state === 'exited');
    for (const e of exited.slice(0, Math.max(0, exited.length - MAX_EXITED))) this.streams.delete(e.id);
    if (![...this.streams.values()].some((e) => e.state !== 'exited')) this.lastActiveEnd = new Date();
  }
}
