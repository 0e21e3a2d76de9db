import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CommanderError } from 'commander';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { ConfigError, type OrchestratorConfig, parseOrchestratorConfig } from '../../../libs/config/src';
import { createLogger } from '../../../libs/logging/src';
import { INSTANCE_PROVIDER, TEMPORAL_CLIENT } from '../../../activities/src';
import { agentSecret } from './agent-secret';
import { OrchestratorModule } from './orchestrator.module';
import { jsonBodiesOnly } from './security/json-bodies';
import { releaseOrphanedInstances } from './orphan-instances';
import { openApiDocument } from './sessions/openapi';
import { temporalAddress } from './temporal/embedded-temporal';
import { servePlayerPage } from './web/player-page';

/** Parses the configuration, or ends the process naming the setting at fault (exit 2). */
export function orchestratorConfigOrExit(argv: string[], env: NodeJS.ProcessEnv): OrchestratorConfig {
  try {
    return parseOrchestratorConfig(argv, env);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError) {
      process.stderr.write(`orchestrator: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The REST API, with the Temporal worker inside unless --no-worker. */
export async function runOrchestrator(argv: string[], env: NodeJS.ProcessEnv, agentEntry: string): Promise<void> {
  const config = orchestratorConfigOrExit(argv, env);
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
  await app.listen(config.port, config.host);
  try {
    await releaseOrphanedInstances(app.get(INSTANCE_PROVIDER), app.get(TEMPORAL_CLIENT));
  } catch (error) {
    log.error({ err: error }, `orphaned instances were not looked for: ${(error as Error).message}`);
  }
  const bound = app.getHttpServer().address();
  const port = typeof bound === 'object' && bound ? bound.port : config.port;
  log.info(
    { port, host: config.host, docs: `http://127.0.0.1:${port}/docs`, provider: config.providerClassPath, capacity: config.capacity, worker: config.worker },
    'orchestrator listening',
  );
}
