import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AgentClient, AgentError } from '@jit/agent-client';
import type { Instance, InstanceProvider } from '@jit/providers';
import type { StreamSpec } from '@jit/sessions';
import type { Logger } from '@jit/logging';
import { viewerToken } from '@jit/security';
import type { ActivityMetrics } from './activity-metrics';
import type { SessionActivityApi, WatchOutcome } from './session-activities.contract';

/** Polls of what a session start waits on (agent up, stream running): cheap local HTTP calls, short waits. */
const READY_POLL_MS = 50;

/** How long the agent of a running stream may be unreachable before the session gives up on it. */
const AGENT_UNREACHABLE_S = 30;

const nonRetryable = (message: string) => ApplicationFailure.nonRetryable(message, 'NonRetryable');

/**
 * The side effects of the session workflow: the instance provider and the instance's agent.
 * Waits heartbeat, so a worker that dies is noticed and its wait resumes elsewhere. A Nest
 * provider by factory (RuntimeModule), with no framework in it, so it is tested on its own.
 */
export class SessionActivities implements SessionActivityApi {
  constructor(
    private readonly provider: InstanceProvider,
    private readonly agentSecret: string,
    private readonly log: Logger,
    private readonly metrics?: ActivityMetrics,
  ) {}

  /** The log of the running activity: its session (the workflow id) on every line. */
  private get activityLog(): Logger {
    const { workflowExecution, activityType } = Context.current().info;
    return this.log.child({ sessionId: workflowExecution?.workflowId, workflowId: workflowExecution?.workflowId, activity: activityType });
  }

  /** The activities for Worker.create, bound to this instance. */
  functions(): SessionActivityApi {
    const names: (keyof SessionActivityApi)[] = [
      'provisionInstance',
      'waitInstanceReady',
      'startStream',
      'waitStreamRunning',
      'watchStream',
      'stopStream',
      'waitAgentIdle',
      'releaseInstance',
    ];
    return Object.fromEntries(names.map((name) => [name, this[name].bind(this)])) as unknown as SessionActivityApi;
  }

  private agent(instance: Instance): AgentClient {
    return new AgentClient(instance.agentUrl, this.agentSecret);
  }

  async provisionInstance(sessionId: string): Promise<Instance> {
    const instance = await this.provider.provision(sessionId);
    this.activityLog.info({ instance: instance.id, agentUrl: instance.agentUrl }, 'instance provisioned');
    return instance;
  }

  async waitInstanceReady(instance: Instance): Promise<void> {
    const agent = this.agent(instance);
    for (;;) {
      if (await agent.health()) return;
      if (!(await this.provider.isAlive(instance))) throw nonRetryable(`instance ${instance.id} stopped before its agent answered`);
      Context.current().heartbeat();
      await Context.current().sleep(READY_POLL_MS);
    }
  }

  async startStream(instance: Instance, streamId: string, spec: StreamSpec): Promise<{ port: number }> {
    try {
      // The session id is the workflow id; the JIT's viewer token is derived from it (see jitUrl).
      const sessionId = Context.current().info.workflowExecution?.workflowId ?? streamId;
      const { port } = await this.agent(instance).startStream(streamId, spec, {
        sessionId,
        viewerToken: viewerToken(this.agentSecret, sessionId),
      });
      this.activityLog.info({ instance: instance.id, stream: streamId, port }, 'stream started');
      return { port };
    } catch (error) {
      if (error instanceof AgentError && !error.retryable) throw nonRetryable(error.message);
      throw error;
    }
  }

  async waitStreamRunning(instance: Instance, streamId: string): Promise<void> {
    const agent = this.agent(instance);
    for (;;) {
      const stream = (await agent.status()).streams.find((s) => s.id === streamId);
      if (!stream || stream.state === 'exited')
        throw nonRetryable(`stream ${streamId} ended before it ran (exit code ${stream?.exitCode ?? 'unknown'})`);
      if (stream.state === 'running') return;
      Context.current().heartbeat();
      await Context.current().sleep(READY_POLL_MS);
    }
  }

  async watchStream(instance: Instance, streamId: string, pollIntervalS: number, maxIdleS: number): Promise<WatchOutcome> {
    const agent = this.agent(instance);
    let unreachableSince: number | undefined;
    for (;;) {
      try {
        const stream = (await agent.status()).streams.find((s) => s.id === streamId);
        unreachableSince = undefined;
        if (!stream || stream.state === 'exited') {
          const exitCode = stream?.exitCode ?? null;
          // An exited stream the agent still lists ended by itself; one it no longer lists was
          // stopped (a restart or DELETE racing this poll before its cancellation arrived).
          if (stream) this.metrics?.streamExited(exitCode);
          this.activityLog.warn(
            { instance: instance.id, stream: streamId, exitCode },
            stream ? 'the stream exited by itself' : 'the stream is gone from its agent',
          );
          return { reason: 'stream-exited', exitCode };
        }
        // Playing counts as activity: a review that plays through needs no clicks.
        const idleSeconds = stream.jit?.state === 'playing' ? 0 : (stream.jit?.idleSeconds ?? 0);
        if (idleSeconds > maxIdleS) {
          this.activityLog.info({ instance: instance.id, stream: streamId, idleSeconds, maxIdleS }, 'the stream is idle: reaping it');
          return { reason: 'idle', idleSeconds };
        }
      } catch (error) {
        // An agent that is gone (killed, its instance lost) will not come back: fail at once.
        if (!(await this.provider.isAlive(instance)))
          throw nonRetryable(`the instance ${instance.id} is gone: its agent stopped answering (${(error as Error).message})`);
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > AGENT_UNREACHABLE_S * 1000) {
          throw nonRetryable(`agent of ${instance.id} unreachable for ${AGENT_UNREACHABLE_S} s: ${(error as Error).message}`);
        }
      }
      Context.current().heartbeat();
      await Context.current().sleep(pollIntervalS * 1000);
    }
  }

  async stopStream(instance: Instance, streamId: string): Promise<void> {
    if (!(await this.provider.isAlive(instance))) return;
    await this.agent(instance).stopStream(streamId);
    this.activityLog.info({ instance: instance.id, stream: streamId }, 'stream stopped');
  }

  async waitAgentIdle(instance: Instance): Promise<void> {
    const agent = this.agent(instance);
    for (;;) {
      const busy = (await agent.status()).streams.filter((s) => s.state !== 'exited');
      if (busy.length === 0) return;
      Context.current().heartbeat();
      await Context.current().sleep(READY_POLL_MS);
    }
  }

  async releaseInstance(instance: Instance): Promise<void> {
    await this.provider.release(instance);
    this.activityLog.info({ instance: instance.id }, 'instance released');
  }
}
