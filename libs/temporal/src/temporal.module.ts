import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SessionActivities } from '@jit/activities';
import { INSTANCE_PROVIDER, LOGGER, ORCHESTRATOR_CONFIG, TEMPORAL_CLIENT } from '@jit/nest';
import type { InstanceProvider } from '@jit/providers';
import type { OrchestratorConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { sessionEventSinks, SessionMetrics } from '@jit/metrics';
import { installTemporalLogger } from './temporal-logger';

export interface TemporalOptions {
  address: string;
  namespace: string;
  taskQueue: string;
}
export const TEMPORAL_OPTIONS = Symbol('TemporalOptions');

/** The session workflows' worker, with the activities of SessionActivities (a Nest service) bound in. */
@Injectable()
export class SessionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(TEMPORAL_OPTIONS) private readonly options: TemporalOptions,
    @Inject(SessionActivities) private readonly activities: SessionActivities,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(SessionMetrics) private readonly metrics: SessionMetrics,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(INSTANCE_PROVIDER) private readonly provider: InstanceProvider,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    installTemporalLogger(this.log, this.config.verbose);
    const connection = await NativeConnection.connect({ address: this.options.address });
    this.worker = await Worker.create({
      connection,
      namespace: this.options.namespace,
      taskQueue: this.options.taskQueue,
      workflowsPath: require.resolve('../../../workflows/src'),
      activities: this.activities.functions(),
      sinks: sessionEventSinks(this.metrics, this.log),
    });
    this.running = this.worker.run().catch((error: unknown) => this.log.error({ err: error }, 'Temporal worker stopped'));
    this.log.info({ taskQueue: this.options.taskQueue }, 'Temporal worker running');
    await this.provider.start?.();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.provider.stop?.();
  }
}

@Module({})
export class TemporalModule {
  /** The Temporal client, and with `worker` the session worker in this process. */
  static register(options: TemporalOptions, worker: boolean): DynamicModule {
    return {
      module: TemporalModule,
      providers: [
        { provide: TEMPORAL_OPTIONS, useValue: options },
        {
          provide: TEMPORAL_CLIENT,
          useFactory: async () =>
            new Client({ connection: await Connection.connect({ address: options.address }), namespace: options.namespace }),
        },
        ...(worker ? [SessionWorker] : []),
      ],
      exports: [TEMPORAL_CLIENT, TEMPORAL_OPTIONS],
    };
  }
}
