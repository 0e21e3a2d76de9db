import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AGENT_SECRET, ORCHESTRATOR_CONFIG, TEMPORAL_CLIENT, DomainErrorFilter } from '@jit/nest';
import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsModule } from '@jit/metrics';
import { requestLogOptions } from './metrics/request-logs';
import { RuntimeModule, TEMPORAL_OPTIONS, TemporalModule, type TemporalOptions } from '@jit/temporal';
import { SessionsController } from './sessions/sessions.controller';
import { ApiTokenGuard } from './security/api-token.guard';
import { SessionsService } from './sessions/sessions.service';
import { IceServers } from './turn/ice-servers.service';
import { MediaController } from './web/media.controller';
import { TurnModule } from './turn/turn.module';

@Module({})
export class OrchestratorModule {
  static register(parts: {
    config: OrchestratorConfig;
    log: Logger;
    temporal: TemporalOptions;
    agent: { entry: string; secret: string };
  }): DynamicModule {
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
      providers: [
        {
          provide: SessionsService,
          useFactory: (...deps: ConstructorParameters<typeof SessionsService>) => new SessionsService(...deps),
          inject: [TEMPORAL_CLIENT, TEMPORAL_OPTIONS, ORCHESTRATOR_CONFIG, IceServers, AGENT_SECRET],
        },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
