import { type AgentStatus, agentStatusSchema, type StreamRequest, type StreamStarted, streamStartedSchema } from '@jit/protocol';
import type { StreamSpec } from '@jit/sessions';

/** The agent answered with an error status; `retryable` is false for what a retry cannot fix. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** HTTP client of an instance agent (agent mode of this program), authenticated by the shared secret. */
export class AgentClient {
  constructor(
    readonly baseUrl: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async health(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/health', this.baseUrl), { signal: AbortSignal.timeout(2000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  async status(): Promise<AgentStatus> {
    return agentStatusSchema.parse(await this.call('GET', '/status'));
  }

  /** Starts a stream; `session` names its session in the agent's and the JIT's logs and sets the token the JIT requires from viewers. */
  async startStream(id: string, spec: StreamSpec, session: Pick<StreamRequest, 'sessionId' | 'viewerToken'> = {}): Promise<StreamStarted> {
    const request: StreamRequest = { id, ...spec, ...session };
    return streamStartedSchema.parse(await this.call('POST', '/streams', request));
  }

  /** Stops a stream; a stream the agent does not know is already stopped. */
  async stopStream(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/streams/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof AgentError && error.status === 404)) throw error;
    }
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        const parsed = JSON.parse(text) as { message?: unknown };
        if (parsed.message) message = Array.isArray(parsed.message) ? parsed.message.join('; ') : String(parsed.message);
      } catch {
        // not JSON: the text is the message
      }
      const retryable = response.status >= 500 && response.status !== 502;
      throw new AgentError(`agent ${method} ${path}: ${response.status} ${message}`, response.status, retryable);
    }
    return text ? JSON.parse(text) : undefined;
  }
}
