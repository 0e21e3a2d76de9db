#!/usr/bin/env -S node --no-memory-reducer
import 'reflect-metadata';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
// Imported here rather than found by Nest at create time: a JIT started ahead of its session then
// has Express loaded before its arguments come.
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, configOrExit, parseJitConfig } from '@jit/config';
import { createLogger } from '@jit/logging';
import { listen } from '@jit/nest';
import { nestLogger, requestLogger } from './http/request-logging';
import { JitModule } from './jit.module';
import { configureAvLog } from './media/av-log';
import { InputError } from './media/input-location';
import { MediaCatalog } from './media/media-catalog';
import { VideoThreads } from './media/video-worker';
import { ViewerRegistry } from './viewers/viewer-registry';
import { launchArguments } from './standby';
import { createCertificate, resolvePublicAddress } from './webrtc/peer-config';

/** The player page, copied next to the compiled code by `npm run build`. */
const PLAYER_ROOT = join(__dirname, '..', '..', '..', 'web', 'jit-player');

/** Exit codes: 2 for a setting or input that makes no sense, 1 for anything else. */
function fail(message: string, code = 2): never {
  process.stderr.write(`jit: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  // Made before the arguments are known: a JIT started ahead of time has them ready.
  const certificate = createCertificate();
  const videoThreads = new VideoThreads();
  const { argv, env } = await launchArguments();
  const config = configOrExit('jit', () => parseJitConfig(argv, env));
  const log = createLogger('jit', config.verbose, config.sessionId ? { sessionId: config.sessionId } : {});
  configureAvLog(config.verbose);
  if (config.deprecatedPositional) log.warn('positional URLS are deprecated: use -i/--input');

  let media: MediaCatalog;
  let publicAddress: string | undefined;
  try {
    // Resolved once, while the inputs open: every viewer's extra host candidate.
    [media, publicAddress] = await Promise.all([
      MediaCatalog.open(config, log, videoThreads),
      config.publicIp ? resolvePublicAddress(config.publicIp) : undefined,
    ]);
  } catch (error) {
    if (error instanceof InputError || error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (publicAddress && publicAddress !== config.publicIp) log.info({ publicIp: config.publicIp, publicAddress }, 'PUBLIC_IP resolved');

  let app: NestExpressApplication | undefined;
  const shutdown = async (reason: string) => {
    log.info({ reason }, 'shutting down');
    const timer = setTimeout(() => process.exit(0), 5000).unref();
    await viewers.closeAll();
    await media.close();
    await app?.close();
    clearTimeout(timer);
    process.exit(0);
  };
  const peer = { certificate: await certificate, portMin: config.portMin, portMax: config.portMax, publicAddress };
  const viewers = new ViewerRegistry(config, peer, media, log, () => void shutdown('technical timeout'));
  app = await NestFactory.create<NestExpressApplication>(
    JitModule.register({ media, viewers, viewerToken: config.viewerToken }),
    new ExpressAdapter(),
    {
      bufferLogs: true,
      cors: { origin: true, exposedHeaders: ['Location'] },
    },
  );
  app.useLogger(nestLogger(log));
  if (config.verbose) app.use(requestLogger(log));
  app.useBodyParser('text', { type: 'application/sdp', limit: '128kb' });
  app.useStaticAssets(PLAYER_ROOT, { index: 'index.html' });
  const port = await listen(app, config.host, config.port);
  log.info({ port, host: config.host, media: media.summary }, 'JIT listening');
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Started by an agent (with an IPC channel): the channel closes when the agent is gone, even
  // killed, and a JIT nobody manages any more must not keep its ports and viewers.
  if (process.send) process.once('disconnect', () => void shutdown('the agent that started this JIT is gone'));
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1));
