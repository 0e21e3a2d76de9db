import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { OrchestratorConfig } from '../../../libs/config/src';
import type { Logger } from '../../../libs/logging/src';
import { HealthController } from './health/health.controller';
import { RuntimeModule } from './runtime.module';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { TemporalModule, type TemporalOptions } from './temporal/temporal.module';
import { TurnModule } from './turn/turn.module';

@Module({})
export class OrchestratorModule {
  static register(parts: { config: OrchestratorConfig; log: Logger; temporal: TemporalOptions; agent: { entry: string; secret: string } }): DynamicModule {
    return {
      module: OrchestratorModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { logger: parts.log, autoLogging: parts.config.verbose } }),
        RuntimeModule.register(parts.config, parts.log, parts.agent),
        TemporalModule.register(parts.temporal, parts.config.worker),
        TurnModule.register(parts.config, parts.log),
      ],
      controllers: [SessionsController, HealthController],
      providers: [SessionsService],
    };
  }
}
