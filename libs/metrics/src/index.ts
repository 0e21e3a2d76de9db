export * from './metrics.module';
export * from './session-event-sinks';
export * from './session-metrics';
