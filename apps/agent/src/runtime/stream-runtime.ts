import type { RuntimeKind } from '@jit/protocol';
import type { PortBlock } from '../ports';

/** What a runtime starts: one JIT with its command line and its port block. */
export interface JitLaunch {
  id: string;
  /** The JIT command line without --host, --port and --verbose (see stream-request.ts jitArgs). */
  args: string[];
  ports: PortBlock;
  /** JIT_VIEWER_TOKEN and JIT_SESSION_ID of the JIT, when the orchestrator gave them. */
  viewerToken?: string;
  sessionId?: string;
}

/** One running (or ended) JIT. */
export interface StreamHandle {
  readonly id: string;
  readonly runtime: RuntimeKind;
  /** The JIT's HTTP port on this instance (the block's first port). */
  readonly port: number;
  /** Where the agent reaches the JIT's HTTP API, e.g. http://127.0.0.1:49152. */
  readonly url: string;
  /** Resolves with the exit code (null: killed by a signal, or unknown) once the JIT has ended and been cleaned up. */
  wait(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the JIT is gone. */
  stop(): Promise<number | null>;
  /** The end of the JIT's stderr (its JSON logs and any `jit: …` error line). */
  stderrTail(): string;
  /** pid or container id, for logs. */
  readonly ref: string;
}

/** Runs JITs: as child processes of the agent, or as Docker containers. */
export interface StreamRuntime {
  readonly kind: RuntimeKind;
  /** Once, before the agent serves: image pull, pruning. */
  prepare(): Promise<void>;
  start(spec: JitLaunch): Promise<StreamHandle>;
  /** The JITs started and not yet ended. */
  list(): StreamHandle[];
}

/** Seconds between SIGTERM and SIGKILL when a JIT is stopped. */
export const STOP_GRACE_S = 5;

/** Where a JIT listening on `host` is reached from this machine. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Keeps the last `limit` characters of a stream of text. */
export class TextTail {
  private text = '';
  constructor(private readonly limit = 16 * 1024) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  set(text: string): void {
    this.text = text.slice(-this.limit);
  }
  toString(): string {
    return this.text.slice(-this.limit);
  }
}
