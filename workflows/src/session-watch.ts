import { ApplicationFailure, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { WatchOutcome } from '@jit/activities';
import type { Instance } from '@jit/providers';
import type { EndReason, SessionSettings } from './session.contract';
import type { SessionSteps } from './session-steps';

/** What ends a watch: the session is over (with its reason), or a restart was asked for. */
export type WatchEnd = { end: EndReason } | { restart: true };

export interface WatchSignals {
  killed(): boolean;
  restartWanted(): boolean;
}

/**
 * Watches the running stream until it is killed, idle too long, ends by itself, a restart is
 * wanted or the up-time deadline passes. The watch is one long heartbeating activity that polls
 * the agent, so history grows only when something happens; the up-time limit is a durable timer.
 */
export async function watchStream(
  steps: SessionSteps,
  instance: Instance,
  streamId: string,
  settings: SessionSettings,
  deadline: number,
  signals: WatchSignals,
): Promise<WatchEnd> {
  let outcome: WatchOutcome | undefined;
  let failure: unknown;
  const scope = new CancellationScope();
  const watching = scope
    .run(() => steps.watchStream(instance, streamId, settings.pollIntervalS, settings.maxIdleS))
    .then(
      (o) => void (outcome = o),
      (e: unknown) => void (failure = e),
    );
  const woke = await condition(
    () => signals.killed() || signals.restartWanted() || outcome !== undefined || failure !== undefined,
    Math.max(1, deadline - Date.now()),
  );
  if (outcome === undefined && failure === undefined) {
    scope.cancel();
    await watching;
  }
  if (!woke) return { end: 'max-uptime' };
  if (signals.killed()) return { end: 'killed' };
  if (failure !== undefined && !isCancellation(failure)) throw failure;
  if (outcome) {
    // A JIT that ended by itself (its technical timeout, exit 0) ends the session; one that
    // crashed or was killed fails it, saying so: the viewer's connection died with it.
    if (outcome.reason === 'stream-exited' && outcome.exitCode !== 0) {
      const how = outcome.exitCode === null ? 'killed by a signal' : `exit code ${outcome.exitCode}`;
      throw ApplicationFailure.nonRetryable(`the stream's JIT exited unexpectedly (${how})`, 'StreamCrashed');
    }
    return { end: outcome.reason };
  }
  return { restart: true };
}
