import 'reflect-metadata';
import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configOrExit, type OrchestratorConfig, parseOrchestratorConfig } from '@jit/config';
import { createLogger, type Logger } from '@jit/logging';
import { agentSecret } from '@jit/security';
import { MetricsModule } from '@jit/metrics';
import { RuntimeModule, temporalAddress, TemporalModule } from '@jit/temporal';

@Module({})
class WorkerModule {
  static register(config: OrchestratorConfig, log: Logger, address: string, secret: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        // Its sessions' metrics are counted here but not served: a worker has no HTTP (docs/observability.md, Metrics).
        MetricsModule,
        RuntimeModule.register(config, log, { entry: join(__dirname, '..', '..', 'orchestrator', 'src', 'main.js'), secret }),
        TemporalModule.register({ address, namespace: config.temporalNamespace, taskQueue: config.temporalTaskQueue }, true),
      ],
    };
  }
}

/** A session worker on its own (scale workers apart from the REST API): the orchestrator's settings, no HTTP. */
async function main(): Promise<void> {
  const config = configOrExit('worker', () => parseOrchestratorConfig(process.argv.slice(2), process.env));
  const log = createLogger('worker', config.verbose, { orchestratorId: config.orchestratorId });
  const module = WorkerModule.register(config, log, await temporalAddress(config, log), await agentSecret(config));
  const app = await NestFactory.createApplicationContext(module, { logger: false });
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
