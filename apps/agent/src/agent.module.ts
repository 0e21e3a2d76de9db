import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { AgentConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { DomainErrorFilter } from '@jit/nest';
import { AGENT_SECRET, AgentAuthGuard } from './agent-auth.guard';
import { AgentController } from './agent.controller';
import { StreamManager } from './stream-manager';

@Module({})
export class AgentModule {
  /** The stream manager is built (runtime chosen, image pulled) before Nest starts. */
  static register(config: AgentConfig, parts: { streams: StreamManager; log: Logger }): DynamicModule {
    // Request logs (verbose only) never carry the bearer secret.
    const httpLog = parts.log.child({}, { redact: ['req.headers.authorization'] });
    return {
      module: AgentModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: httpLog, autoLogging: config.verbose } })],
      controllers: [AgentController],
      providers: [
        { provide: StreamManager, useValue: parts.streams },
        // --insecure only allows starting without a secret: a secret that is set is always required.
        { provide: AGENT_SECRET, useValue: config.secret || undefined },
        { provide: APP_GUARD, useClass: AgentAuthGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
