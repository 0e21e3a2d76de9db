import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { MediaCatalog } from '../media/media-catalog';
import type { JitStatus } from '@jit/protocol';
import { ViewerRegistry } from '../viewers/viewer-registry';
import { ViewerTokenGuard } from './viewer-token.guard';

@Controller()
export class StatusController {
  constructor(
    @Inject(ViewerRegistry) private readonly viewers: ViewerRegistry,
    @Inject(MediaCatalog) private readonly media: MediaCatalog,
  ) {}

  /** What the agent polls: playback state, viewers and how long nobody has done anything. */
  @Get('status')
  @UseGuards(ViewerTokenGuard)
  status(): JitStatus {
    return {
      ...this.viewers.status(),
      media: this.media.summary,
      startTimecode: this.media.startTimecode,
      nextViewerReady: this.media.nextViewerReady,
    };
  }

  @Get('health')
  health(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: this.viewers.status().uptimeSeconds };
  }
}
