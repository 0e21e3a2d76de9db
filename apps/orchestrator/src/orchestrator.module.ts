import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { OrchestratorConfig } from '../../../libs/config/src';
import type { Logger } from '../../../libs/logging/src';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsModule } from './metrics/metrics.module';
import { requestLogOptions } from './metrics/request-logs';
import { RuntimeModule } from './runtime.module';
import { SessionsController } from './sessions/sessions.controller';
import { ApiTokenGuard } from './security/api-token.guard';
import { SessionsService } from './sessions/sessions.service';
import { TemporalModule, type TemporalOptions } from './temporal/temporal.module';
import { MediaController } from './web/media.controller';
import { TurnModule } from './turn/turn.module';

@Module({})
export class OrchestratorModule {
  static register(parts: { config: OrchestratorConfig; log: Logger; temporal: TemporalOptions; agent: { entry: string; secret: string } }): DynamicModule {
    return {
      module: OrchestratorModule,
      imports: [
        LoggerModule.forRoot(requestLogOptions(parts.log, parts.config.verbose)),
        MetricsModule,
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        RuntimeModule.register(parts.config, parts.log, parts.agent),
        TemporalModule.register(parts.temporal, parts.config.worker),
        TurnModule.register(parts.config, parts.log),
      ],
      controllers: [SessionsController, HealthController, MediaController, MetricsController],
      providers: [SessionsService, { provide: APP_GUARD, useClass: ApiTokenGuard }],
    };
  }
}
