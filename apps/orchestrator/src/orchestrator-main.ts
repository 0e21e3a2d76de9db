import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { configOrExit, parseOrchestratorConfig } from '@jit/config';
import { createLogger } from '@jit/logging';
import { INSTANCE_PROVIDER, listen, TEMPORAL_CLIENT } from '@jit/nest';
import { agentSecret } from '@jit/security';
import { OrchestratorModule } from './orchestrator.module';
import { jsonBodiesOnly } from './security/json-bodies';
import { releaseOrphanedInstances } from './orphan-instances';
import { openApiDocument } from './sessions/openapi';
import { temporalAddress } from '@jit/temporal';
import { servePlayerPage } from './web/player-page';

/** The REST API, with the Temporal worker inside unless --no-worker. */
export async function runOrchestrator(argv: string[], env: NodeJS.ProcessEnv, agentEntry: string): Promise<void> {
  const config = configOrExit('orchestrator', () => parseOrchestratorConfig(argv, env));
  const log = createLogger('orchestrator', config.verbose, { orchestratorId: config.orchestratorId });
  const address = await temporalAddress(config, log);
  const temporal = { address, namespace: config.temporalNamespace, taskQueue: config.temporalTaskQueue };
  const agent = { entry: agentEntry, secret: await agentSecret(config) };
  const app = await NestFactory.create<NestExpressApplication>(OrchestratorModule.register({ config, log, temporal, agent }), {
    bufferLogs: true,
    cors: { origin: true },
  });
  app.useLogger(app.get(PinoNestLogger));
  app.use(jsonBodiesOnly);
  app.useBodyParser('json', { limit: '256kb' });
  servePlayerPage(app);
  SwaggerModule.setup('docs', app, openApiDocument(), { jsonDocumentUrl: 'openapi.json' });
  app.enableShutdownHooks();
  const port = await listen(app, config.host, config.port);
  try {
    await releaseOrphanedInstances(app.get(INSTANCE_PROVIDER), app.get(TEMPORAL_CLIENT));
  } catch (error) {
    log.error({ err: error }, `orphaned instances were not looked for: ${(error as Error).message}`);
  }
  log.info(
    {
      port,
      host: config.host,
      docs: `http://127.0.0.1:${port}/docs`,
      provider: config.providerClassPath,
      capacity: config.capacity,
      worker: config.worker,
    },
    'orchestrator listening',
  );
}
