import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SessionActivities } from '@jit/activities';
import { ACTIVITY_METRICS, AGENT_SECRET, INSTANCE_PROVIDER, LOGGER, ORCHESTRATOR_CONFIG } from '@jit/nest';
import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { loadInstanceProvider } from '@jit/providers';

/** Configuration, logger, the instance provider and the session activities, for every module. */
@Global()
@Module({})
export class RuntimeModule {
  static register(config: OrchestratorConfig, log: Logger, agent: { entry: string; secret: string }): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: ORCHESTRATOR_CONFIG, useValue: config },
        { provide: LOGGER, useValue: log },
        { provide: AGENT_SECRET, useValue: agent.secret },
        {
          provide: INSTANCE_PROVIDER,
          useFactory: () =>
            loadInstanceProvider(config.providerClassPath, { config, log, agentEntry: agent.entry, agentSecret: agent.secret }),
        },
        {
          provide: SessionActivities,
          useFactory: (...deps: ConstructorParameters<typeof SessionActivities>) => new SessionActivities(...deps),
          inject: [INSTANCE_PROVIDER, AGENT_SECRET, LOGGER, { token: ACTIVITY_METRICS, optional: true }],
        },
      ],
      exports: [ORCHESTRATOR_CONFIG, LOGGER, AGENT_SECRET, INSTANCE_PROVIDER, SessionActivities],
    };
  }
}
