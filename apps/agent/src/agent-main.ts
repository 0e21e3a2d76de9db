import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { type AgentConfig, configOrExit, describeAgentConfig, parseAgentConfig } from '@jit/config';
import { createLogger } from '@jit/logging';
import { listen } from '@jit/nest';
import { AgentModule } from './agent.module';
import { PortBlocks } from './ports';
import { prepareRuntime } from './runtime/select-runtime';
import { StreamManager } from './stream-manager';

/** Exit codes: 2 for a setting that makes no sense (a missing secret included), 1 for anything else. */
function fail(message: string, code: number): never {
  process.stderr.write(`agent: ${message}\n`);
  process.exit(code);
}

/**
 * The instance agent: parses its settings (ConfigError → exit 2), picks the runtime, prepares it
 * (prune, image), serves the agent API and stops every JIT on SIGTERM/SIGINT. Resolves once it
 * listens.
 */
export async function runAgent(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const upSince = new Date();
  const config: AgentConfig = configOrExit('agent', () => parseAgentConfig(argv, env));
  const log = createLogger('agent', config.verbose);
  if (!config.secret) log.warn('JIT_AGENT_SECRET is not set and --insecure is given: the agent API is open to anyone who can reach it');

  let streams: StreamManager;
  try {
    const runtime = await prepareRuntime(config, env, log);
    const ports = new PortBlocks(config.portMin, config.portMax, config.portBlock, config.host);
    streams = new StreamManager(runtime, ports, log, config.startTimeout, upSince);
  } catch (error) {
    log.error({ err: error }, 'the agent could not prepare its runtime');
    fail(`could not prepare the ${config.runtime} runtime: ${error instanceof Error ? error.message : String(error)}`, 1);
  }

  const app = await NestFactory.create<NestExpressApplication>(AgentModule.register(config, { streams, log }), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  const port = await listen(app, config.host, config.port);
  log.info({ port, host: config.host, runtime: streams.runtimeKind, config: describeAgentConfig(config) }, 'agent listening');

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'agent shutting down: stopping every stream');
    // SIGKILL comes 5 s after SIGTERM for each JIT; this is the backstop.
    const timer = setTimeout(() => process.exit(1), 20_000).unref();
    try {
      await streams.stopAll();
      await app.close();
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
    }
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
