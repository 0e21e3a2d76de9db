import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from '../../../libs/logging/src';
import { StatusController } from './http/status.controller';
import { VIEWER_TOKEN } from './http/viewer-token.guard';
import { WhepController } from './http/whep.controller';
import { MediaCatalog } from './media/media-catalog';
import { ViewerRegistry } from './viewers/viewer-registry';

/** A request as logged (verbose only): no headers (a bearer token, a Location with ?token=), the URL's ?token= masked. */
function withoutToken(req: { id: unknown; method: string; url: string; remoteAddress?: string }) {
  return { id: req.id, method: req.method, url: req.url.replace(/([?&]token=)[^&]*/g, '$1…'), remoteAddress: req.remoteAddress };
}

@Module({})
export class JitModule {
  /** The catalogue and registry are built before Nest starts, since bad inputs must end the process first. */
  static register(parts: { media: MediaCatalog; viewers: ViewerRegistry; log: Logger; verbose: boolean; viewerToken?: string }): DynamicModule {
    return {
      module: JitModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: parts.log, autoLogging: parts.verbose, serializers: { req: withoutToken, res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) } } })],
      controllers: [WhepController, StatusController],
      providers: [
        { provide: MediaCatalog, useValue: parts.media },
        { provide: ViewerRegistry, useValue: parts.viewers },
        { provide: VIEWER_TOKEN, useValue: parts.viewerToken },
      ],
    };
  }
}
