import { Global, Module } from '@nestjs/common';
import { ACTIVITY_METRICS } from '@jit/nest';
import { SessionMetrics } from './session-metrics';

/** This process's metrics, for the worker (sinks, activities) and GET /metrics. */
@Global()
@Module({
  providers: [SessionMetrics, { provide: ACTIVITY_METRICS, useExisting: SessionMetrics }],
  exports: [SessionMetrics, ACTIVITY_METRICS],
})
export class MetricsModule {}
