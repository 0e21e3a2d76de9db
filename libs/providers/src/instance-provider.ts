import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';

/** A machine (or a part of one) where an agent runs JIT streams for one session. */
export interface Instance {
  /** Unique and stable: releasing needs nothing else, also after an orchestrator restart. */
  id: string;
  /** The provider that made it (its class path). */
  provider: string;
  /** Base URL of its agent, as the orchestrator reaches it. */
  agentUrl: string;
  /** Host name or address a browser reaches its JIT streams on (before JIT_PUBLIC_IP overrides it). */
  streamHost: string;
  /** Provider-specific facts (process id, container id, EC2 instance id, …). */
  details: Record<string, string>;
}

/** The one interface every instance provider implements; the workflow's activities call it. */
export interface InstanceProvider {
  /** Starts an instance for a session; the agent may not answer yet. */
  provision(sessionId: string): Promise<Instance>;
  /** Stops it and everything on it; releasing an instance that is already gone succeeds. */
  release(instance: Instance): Promise<void>;
  /** Whether the instance itself is up (the agent's health is checked separately). */
  isAlive(instance: Instance): Promise<boolean>;
  /** Optional: called when the worker that provisions starts (e.g. to start instances ahead of sessions). */
  start?(): Promise<void>;
  /** Optional: called when that worker stops; instances of sessions stay. */
  stop?(): Promise<void>;
  /**
   * Optional, for the orchestrator's readiness (`GET /health/ready`): resolves (with facts to
   * show) when a new instance could be had now, throws saying why not. Cheap: it is polled.
   */
  checkReady?(): Promise<Record<string, unknown>>;
  /**
   * Optional, called once at start-up: releases this orchestrator's instances, made before
   * `listedAt`, that none of the `running` sessions (listed at `listedAt`) holds: leaks after a
   * crash. Never touches instances it did not make.
   */
  releaseOrphans?(running: RunningSession[], listedAt: Date): Promise<void>;
}

/** A session whose workflow runs, and the instance it holds (null while it is being provisioned). */
export interface RunningSession {
  sessionId: string;
  instanceId: string | null;
}

/** A non-retryable failure to provision (bad image or AMI, no capacity in the range, …). */
export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
}

/** What a provider is built with. User providers get the same. */
export interface ProviderContext {
  config: OrchestratorConfig;
  log: Logger;
  /** The program to run in agent mode (this program's entry: `node <entry> agent`). */
  agentEntry: string;
  /** The secret the agents require. */
  agentSecret: string;
}

export type InstanceProviderClass = new (context: ProviderContext) => InstanceProvider;
