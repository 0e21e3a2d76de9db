import 'reflect-metadata';
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OrchestratorConfig } from '../../../libs/config/src';
import { createLogger, type Logger } from '../../../libs/logging/src';
import { agentSecret } from '../../orchestrator/src/agent-secret';
import { MetricsModule } from '../../orchestrator/src/metrics/metrics.module';
import { orchestratorConfigOrExit } from '../../orchestrator/src/orchestrator-main';
import { RuntimeModule } from '../../orchestrator/src/runtime.module';
import { temporalAddress } from '../../orchestrator/src/temporal/embedded-temporal';
import { TemporalModule } from '../../orchestrator/src/temporal/temporal.module';

@Module({})
class WorkerModule {
  static register(config: OrchestratorConfig, log: Logger, address: string, secret: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        // Its sessions' metrics are counted here but not served: a worker has no HTTP (see README, Observability).
        MetricsModule,
        RuntimeModule.register(config, log, { entry: join(__dirname, '..', '..', 'orchestrator', 'src', 'main.js'), secret }),
        TemporalModule.register({ address, namespace: config.temporalNamespace, taskQueue: config.temporalTaskQueue }, true),
      ],
    };
  }
}

/** A session worker on its own (scale workers apart from the REST API): the orchestrator's settings, no HTTP. */
async function main(): Promise<void> {
  const config = orchestratorConfigOrExit(process.argv.slice(2), process.env);
  const log = createLogger('worker', config.verbose, { orchestratorId: config.orchestratorId });
  const module = WorkerModule.register(config, log, await temporalAddress(config, log), await agentSecret(config));
  const app = await NestFactory.createApplicationContext(module, { logger: false });
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
