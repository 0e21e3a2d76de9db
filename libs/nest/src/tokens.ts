/** Nest injection tokens shared by the orchestrator, the worker and the activities. */
export const INSTANCE_PROVIDER = Symbol('InstanceProvider');
export const AGENT_SECRET = Symbol('AgentSecret');
export const LOGGER = Symbol('Logger');
export const ORCHESTRATOR_CONFIG = Symbol('OrchestratorConfig');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
/** ActivityMetrics, where the process keeps metrics (optional: activities work without). */
export const ACTIVITY_METRICS = Symbol('ActivityMetrics');
