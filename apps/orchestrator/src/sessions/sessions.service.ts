import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Client,
  type WorkflowHandle,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
} from '@temporalio/client';
import type { OrchestratorConfig } from '@jit/config';
import { CapacityError, SessionConflictError, UnknownSessionError } from '@jit/errors';
import { viewerToken } from '@jit/security';
import type { SessionAnswer } from '@jit/protocol';
import type { SessionRequest, StreamOptions } from '@jit/sessions';
import {
  RUNNING_SESSIONS_QUERY,
  SESSION_WORKFLOW,
  type SessionState,
  type SessionWorkflowInput,
  killSignal,
  restartUpdate,
  stateQuery,
  untilRunningUpdate,
} from '@jit/workflows/session.contract';
import {
  type AcquireInput,
  type AcquireResult,
  CAPACITY_WORKFLOW,
  acquireUpdate,
  capacityWorkflowId,
  releaseSignal,
} from '@jit/workflows/capacity.contract';
import type { TemporalOptions } from '@jit/temporal';
import type { IceServers } from '../turn/ice-servers.service';

/** How long an admission may wait for the capacity ledger (its worker may be down). */
const ADMISSION_TIMEOUT_MS = 15_000;

/** Seconds a client is told to wait before trying again when the capacity is reached. */
const RETRY_AFTER_S = 10;

/**
 * The REST API's side of Temporal: every session is a workflow, found by its id. Free of HTTP:
 * what goes wrong is thrown as the domain's errors (libs/errors), answered by DomainErrorFilter.
 */
export class SessionsService {
  constructor(
    private readonly client: Client,
    private readonly temporal: Pick<TemporalOptions, 'taskQueue'>,
    private readonly config: OrchestratorConfig,
    private readonly iceServers: IceServers,
    private readonly agentSecret: string,
  ) {}

  /** Starts a session; with `wait`, resolves once its stream runs (or it failed). */
  async create(request: SessionRequest, wait: boolean): Promise<SessionAnswer> {
    const sessionId = `session-${new Date().toISOString().slice(0, 10)}-${randomBytes(5).toString('hex')}`;
    await this.takeSlot(sessionId);
    const input: SessionWorkflowInput = {
      sessionId,
      request,
      settings: {
        instanceReadyTimeoutS: this.config.instanceReadyTimeout,
        sessionIdleTimeoutS: this.config.sessionIdleTimeout,
        sessionRunningTimeoutS: this.config.sessionRunningTimeout,
        pollIntervalS: this.config.pollInterval,
        maxIdleS: this.config.pollMaxIdleTime,
        maxUpS: this.config.pollMaxUpTime,
      },
      capacityWorkflowId: this.capacityId,
    };
    let handle: WorkflowHandle;
    try {
      handle = await this.client.workflow.start(SESSION_WORKFLOW, {
        workflowId: sessionId,
        taskQueue: this.temporal.taskQueue,
        args: [input],
      });
    } catch (error) {
      await this.client.workflow
        .getHandle(this.capacityId)
        .signal(releaseSignal, sessionId)
        .catch(() => undefined);
      throw error;
    }
    const state = wait ? await handle.executeUpdate(untilRunningUpdate) : await handle.query(stateQuery);
    return this.view(state);
  }

  private get capacityId(): string {
    return capacityWorkflowId(this.temporal.taskQueue);
  }

  /**
   * Takes one of JIT_CAPACITY slots in the capacity ledger, a workflow every replica admits
   * through, so the limit holds across orchestrator restarts and replicas. When the ledger is full
   * it is asked once more with the sessions Temporal sees running, so slots of sessions that ended
   * without giving theirs back are reclaimed.
   */
  private async takeSlot(sessionId: string): Promise<void> {
    let result = await this.acquire({ sessionId, capacity: this.config.capacity });
    if (!result.granted) result = await this.acquire({ sessionId, capacity: this.config.capacity, alive: await this.runningSessionIds() });
    if (!result.granted) {
      throw new CapacityError(`capacity reached: ${result.held} of ${this.config.capacity} sessions running (JIT_CAPACITY)`, {
        retryAfterS: RETRY_AFTER_S,
      });
    }
  }

  private async acquire(input: AcquireInput): Promise<AcquireResult> {
    const ask = () =>
      this.client.workflow.executeUpdateWithStart(acquireUpdate, {
        args: [input],
        startWorkflowOperation: new WithStartWorkflowOperation(CAPACITY_WORKFLOW, {
          workflowId: this.capacityId,
          taskQueue: this.temporal.taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [],
        }),
      });
    const deadline = Date.now() + ADMISSION_TIMEOUT_MS;
    for (;;) {
      try {
        return await this.client.withDeadline(deadline, ask);
      } catch (error) {
        // Asked between two runs of the ledger (continue-as-new), the next ask reaches the new one;
        // no answer by the deadline means no worker serves it, or none keeps up.
        if (Date.now() >= deadline - 50) {
          const reason =
            error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error)
              ? `no answer within ${ADMISSION_TIMEOUT_MS / 1000} s: no worker serves it, or the workers are overloaded`
              : (error as Error).message;
          throw new CapacityError(`cannot admit sessions now (capacity ledger ${this.capacityId}: ${reason})`, {
            retryAfterS: RETRY_AFTER_S,
          });
        }
        await sleep(100);
      }
    }
  }

  private async runningSessionIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of this.client.workflow.list({ query: RUNNING_SESSIONS_QUERY })) ids.push(execution.workflowId);
    return ids;
  }

  async get(sessionId: string): Promise<SessionAnswer> {
    return this.view(await this.found(sessionId, (handle) => handle.query(stateQuery)));
  }

  async list(): Promise<SessionAnswer[]> {
    const views: SessionAnswer[] = [];
    for await (const execution of this.client.workflow.list({ query: RUNNING_SESSIONS_QUERY })) {
      views.push(await this.get(execution.workflowId).catch(() => null as unknown as SessionAnswer));
      if (views.length >= 1000) break;
    }
    return views.filter(Boolean);
  }

  /** Restarts the stream, with new options when given; resolves once it runs again (or the session failed). */
  async restart(sessionId: string, options: StreamOptions): Promise<SessionAnswer> {
    const state = await this.found(sessionId, async (handle) => {
      try {
        return await handle.executeUpdate(restartUpdate, { args: [options] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError)
          throw new SessionConflictError(`cannot restart: ${error.cause?.message ?? error.message}`);
        throw error;
      }
    });
    return this.view(state);
  }

  /** Ends a session: the stream stops and the instance is released before this resolves. */
  async end(sessionId: string): Promise<SessionAnswer> {
    const state = await this.found(sessionId, async (handle) => {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.signal(killSignal);
      return (await handle.result()) as SessionState;
    });
    return this.view(state);
  }

  private async found<T>(sessionId: string, use: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>): Promise<T> {
    try {
      return await use(this.client.workflow.getHandle(sessionId));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownSessionError(sessionId);
      throw error;
    }
  }

  /** A session as the REST API shows it. */
  private view(state: SessionState): SessionAnswer {
    const host = this.config.publicIp ?? state.streamHost;
    return {
      sessionId: state.sessionId,
      state: state.phase,
      // The JIT takes only viewers of this session: the jitUrl carries its token.
      jitUrl:
        state.phase === 'running' && host && state.streamPort
          ? `http://${host}:${state.streamPort}/whep?token=${viewerToken(this.agentSecret, state.sessionId)}`
          : null,
      iceServers: state.phase === 'ended' || state.phase === 'failed' ? [] : this.iceServers.forSession(state.sessionId),
      instance: state.instance ? { id: state.instance.id, provider: state.instance.provider } : null,
      restarts: state.restarts,
      timings: state.timings,
      lastError: state.lastError,
      failedStep: state.failedStep,
      endReason: state.endReason,
      request: state.request,
    };
  }
}
