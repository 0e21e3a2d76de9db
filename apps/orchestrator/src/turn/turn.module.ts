import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { keptSecret } from '@jit/security';
import { IceServers } from './ice-servers.service';
import { TurnSupervisor } from './turn-supervisor';
import { turnFiles } from './turnserver-command';

const TURN_SUPERVISOR = Symbol('TURN_SUPERVISOR');

/** Starts coturn before the API listens and stops it on shutdown (a no-op without --turn). */
@Injectable()
class TurnLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(TURN_SUPERVISOR) private readonly supervisor: TurnSupervisor | null) {}

  async onModuleInit(): Promise<void> {
    await this.supervisor?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.supervisor?.stop();
  }
}

/** `--turn`/`JIT_TURN`: the supervised TURN server, and the iceServers sessions hand out (see IceServers). */
@Module({})
export class TurnModule {
  static register(config: OrchestratorConfig, log: Logger): DynamicModule {
    const secret = config.turn ? keptSecret(config.turnSecret, turnFiles(config.turnDataDir).secret) : Promise.resolve(null);
    return {
      module: TurnModule,
      providers: [
        { provide: IceServers, useFactory: async () => new IceServers(config, await secret) },
        {
          provide: TURN_SUPERVISOR,
          useFactory: async () => (config.turn ? new TurnSupervisor(config, (await secret)!, log.child({ component: 'turn' })) : null),
        },
        TurnLifecycle,
      ],
      exports: [IceServers],
    };
  }
}
