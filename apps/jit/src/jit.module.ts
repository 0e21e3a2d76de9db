import { type DynamicModule, Module } from '@nestjs/common';
import { StatusController } from './http/status.controller';
import { VIEWER_TOKEN } from './http/viewer-token.guard';
import { WhepController } from './http/whep.controller';
import { MediaCatalog } from './media/media-catalog';
import { ViewerRegistry } from './viewers/viewer-registry';

@Module({})
export class JitModule {
  /** The catalogue and registry are built before Nest starts, since bad inputs must end the process first. */
  static register(parts: { media: MediaCatalog; viewers: ViewerRegistry; viewerToken?: string }): DynamicModule {
    return {
      module: JitModule,
      controllers: [WhepController, StatusController],
      providers: [
        { provide: MediaCatalog, useValue: parts.media },
        { provide: ViewerRegistry, useValue: parts.viewers },
        { provide: VIEWER_TOKEN, useValue: parts.viewerToken },
      ],
    };
  }
}
