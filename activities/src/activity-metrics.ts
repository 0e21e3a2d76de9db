/** What the activities count, where the process keeps metrics (the orchestrator's SessionMetrics). */
export interface ActivityMetrics {
  /** A watched JIT exited by itself (null: killed by a signal, or unknown). */
  streamExited(exitCode: number | null): void;
}
