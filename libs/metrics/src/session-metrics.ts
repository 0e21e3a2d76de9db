import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActivityMetrics } from '@jit/activities';

/** Seconds buckets for session start-up (a local start is about 1 s; a cloud instance a minute or two). */
const START_BUCKETS = [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30, 60, 120, 300];

/**
 * Every metric of this process, in its own registry (GET /metrics renders it). The session
 * counters and histograms move in the process that runs the session workflows' worker (the
 * orchestrator, unless --no-worker); the running-sessions gauge is read from Temporal when scraped.
 */
@Injectable()
export class SessionMetrics implements ActivityMetrics {
  readonly registry = new Registry();

  readonly running = new Gauge({
    name: 'jit_sessions_running',
    help: 'Session workflows running, as Temporal counts them (all orchestrators of the task queue)',
    registers: [this.registry],
  });
  readonly temporalUp = new Gauge({
    name: 'jit_temporal_up',
    help: '1 when Temporal answered the last scrape, else 0',
    registers: [this.registry],
  });
  readonly started = new Counter({ name: 'jit_sessions_started_total', help: 'Session workflows started', registers: [this.registry] });
  readonly ended = new Counter({
    name: 'jit_sessions_ended_total',
    help: 'Sessions ended, by reason: killed (DELETE), idle and max-uptime (reaped), stream-exited, failed, cancelled',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'jit_sessions_failed_total',
    help: 'Sessions failed, by the step that failed: instance, stream, watch, restart',
    labelNames: ['step'] as const,
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: 'jit_session_restarts_total',
    help: 'Stream restarts (POST /session/:id/restart) that ran again',
    registers: [this.registry],
  });
  readonly jitExits = new Counter({
    name: 'jit_stream_exits_total',
    help: 'JITs that exited by themselves while their session watched them, by exit code ("signal": killed)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly instanceReady = new Histogram({
    name: 'jit_session_instance_ready_seconds',
    help: "Time to ready: a session workflow's start until its instance's agent answers",
    buckets: START_BUCKETS,
    registers: [this.registry],
  });
  readonly firstFrame = new Histogram({
    name: 'jit_session_first_frame_seconds',
    help: "Time to first frame as the orchestrator sees it: a session workflow's start until its stream runs, i.e. a viewer's offer is answered with frame 0 (the browser's part is not included)",
    buckets: START_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  streamExited(exitCode: number | null): void {
    this.jitExits.inc({ code: exitCode === null ? 'signal' : String(exitCode) });
  }
}
