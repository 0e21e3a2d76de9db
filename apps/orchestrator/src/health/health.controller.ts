import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { TEMPORAL_CLIENT } from '../../../../activities/src';

@Controller('health')
export class HealthController {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  /** Healthy when Temporal answers: without it no session can start or be found. */
  @Get()
  async health(): Promise<{ status: 'ok'; temporal: 'ok' }> {
    try {
      await this.client.workflowService.getSystemInfo({});
    } catch (error) {
      throw new ServiceUnavailableException(`Temporal does not answer: ${(error as Error).message}`);
    }
    return { status: 'ok', temporal: 'ok' };
  }
}
