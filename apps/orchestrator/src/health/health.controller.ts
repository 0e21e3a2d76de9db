import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Client } from '@temporalio/client';
import { INSTANCE_PROVIDER, TEMPORAL_CLIENT } from '@jit/nest';
import type { InstanceProvider } from '@jit/providers';
import { OpenRoute } from '../security/api-token.guard';

/** A check that takes longer than this is down. */
const CHECK_TIMEOUT_MS = 3000;

/** Health probes (@nestjs/terminus), open without JIT_API_TOKEN: 200 when healthy, else 503 with what is down. */
@Controller('health')
@OpenRoute()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(INSTANCE_PROVIDER) private readonly provider: InstanceProvider,
  ) {}

  /** Temporal answers: without it no session can start or be found (what /health always meant). */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.temporal()]);
  }

  /** Liveness: the process serves HTTP; nothing else is checked (a restart would not bring Temporal back). */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  /** Readiness: Temporal answers and the instance provider could provision a session now. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.temporal(), () => this.instanceProvider()]);
  }

  private temporal() {
    return this.indicators
      .check('temporal')
      .attempt(async () => {
        await this.client.workflowService.getSystemInfo({});
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private instanceProvider() {
    return this.indicators
      .check('instanceProvider')
      .attempt(async () => ({ provider: this.provider.constructor.name, ...(await this.provider.checkReady?.()) }))
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
