import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import type { Response } from 'express';
import { TEMPORAL_CLIENT } from '@jit/nest';
import { RUNNING_SESSIONS_QUERY } from '@jit/workflows/session.contract';
import { SessionMetrics } from '@jit/metrics';

/** GET /metrics: Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(SessionMetrics) private readonly metrics: SessionMetrics,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async render(@Res({ passthrough: true }) res: Response): Promise<string> {
    try {
      const { count } = await this.client.withDeadline(Date.now() + 2000, () => this.client.workflow.count(RUNNING_SESSIONS_QUERY));
      this.metrics.running.set(count);
      this.metrics.temporalUp.set(1);
    } catch {
      // The last count stays; jit_temporal_up says it is stale.
      this.metrics.temporalUp.set(0);
    }
    res.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
