import { randomBytes } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, type WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ORCHESTRATOR_CONFIG, TEMPORAL_CLIENT } from '../../../../activities/src';
import type { OrchestratorConfig } from '../../../../libs/config/src';
import type { SessionRequest, StreamOptions } from '../../../../libs/sessions/src';
import {
  SESSION_WORKFLOW,
  type SessionState,
  type SessionWorkflowInput,
  killSignal,
  restartUpdate,
  stateQuery,
  untilRunningUpdate,
} from '../../../../workflows/src/session.contract';
import { TEMPORAL_OPTIONS, type TemporalOptions } from '../temporal/temporal.module';

/** A session as the REST API shows it. */
export interface SessionView {
  sessionId: string;
  state: SessionState['phase'];
  jitUrl: string | null;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  instance: { id: string; provider: string } | null;
  restarts: number;
  timings: SessionState['timings'];
  lastError: string | null;
  failedStep: SessionState['failedStep'];
  endReason: SessionState['endReason'];
  request: SessionRequest;
}

const RUNNING_QUERY = `WorkflowType = "${SESSION_WORKFLOW}" AND ExecutionStatus = "Running"`;

/** How long an admission waits for Temporal's visibility to count the session it started. */
const VISIBILITY_WAIT_MS = 2000;

/** Seconds a client is told to wait before trying again when the capacity is reached. */
const RETRY_AFTER_S = 10;

/** The REST API's side of Temporal: every session is a workflow, found by its id. */
@Injectable()
export class SessionsService {
  /** Admissions of new sessions, one after another. */
  private admissions: Promise<void> = Promise.resolve();

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(TEMPORAL_OPTIONS) private readonly temporal: TemporalOptions,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  /** Starts a session; with `wait`, resolves once its stream runs (or it failed). */
  async create(request: SessionRequest, wait: boolean): Promise<SessionView> {
    const admitted = this.admissions.then(() => this.admit(request));
    this.admissions = admitted.then(
      () => undefined,
      () => undefined,
    );
    const handle = await admitted;
    const state = wait ? await handle.executeUpdate(untilRunningUpdate) : await handle.query(stateQuery);
    return this.view(state);
  }

  /**
   * Counts the running sessions in Temporal (so the limit holds across restarts of the
   * orchestrator) and starts the workflow when there is room, one request at a time, waiting until
   * Temporal's count includes the new session so the next request sees it. Replicas of the
   * orchestrator still count independently: two at the same moment can both admit one.
   */
  private async admit(request: SessionRequest): Promise<WorkflowHandle> {
    const { count } = await this.client.workflow.count(RUNNING_QUERY);
    if (count >= this.config.capacity) {
      throw new HttpException(
        { statusCode: 503, message: `capacity reached: ${count} of ${this.config.capacity} sessions running (JIT_CAPACITY)`, retryAfter: RETRY_AFTER_S },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    const sessionId = `session-${new Date().toISOString().slice(0, 10)}-${randomBytes(5).toString('hex')}`;
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
    };
    const handle = await this.client.workflow.start(SESSION_WORKFLOW, { workflowId: sessionId, taskQueue: this.temporal.taskQueue, args: [input] });
    for (let waited = 0; waited < VISIBILITY_WAIT_MS; waited += 20) {
      if ((await this.client.workflow.count(RUNNING_QUERY)).count > count) break;
      await sleep(20);
    }
    return handle;
  }

  async get(sessionId: string): Promise<SessionView> {
    return this.view(await this.found(sessionId, (handle) => handle.query(stateQuery)));
  }

  async list(): Promise<SessionView[]> {
    const views: SessionView[] = [];
    for await (const execution of this.client.workflow.list({ query: RUNNING_QUERY })) {
      views.push(await this.get(execution.workflowId).catch(() => null as unknown as SessionView));
      if (views.length >= 1000) break;
    }
    return views.filter(Boolean);
  }

  /** Restarts the stream, with new options when given; resolves once it runs again (or the session failed). */
  async restart(sessionId: string, options: StreamOptions): Promise<SessionView> {
    const state = await this.found(sessionId, async (handle) => {
      try {
        return await handle.executeUpdate(restartUpdate, { args: [options] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new HttpException(`cannot restart: ${error.cause?.message ?? error.message}`, HttpStatus.CONFLICT);
        throw error;
      }
    });
    return this.view(state);
  }

  /** Ends a session: the stream stops and the instance is released before this resolves. */
  async end(sessionId: string): Promise<SessionView> {
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
      if (error instanceof WorkflowNotFoundError) throw new NotFoundException(`no session ${sessionId}`);
      throw error;
    }
  }

  private view(state: SessionState): SessionView {
    const host = this.config.publicIp ?? state.streamHost;
    return {
      sessionId: state.sessionId,
      state: state.phase,
      jitUrl: state.phase === 'running' && host && state.streamPort ? `http://${host}:${state.streamPort}/whep` : null,
      iceServers: [],
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
