import { Controller, Get, Inject } from '@nestjs/common';
import { ORCHESTRATOR_CONFIG } from '@jit/nest';
import type { OrchestratorConfig } from '@jit/config';
import { type MediaListing, listMedia } from './media-listing';

/** `GET /media`: what the player page offers to pick, the files under JIT_MEDIA_ROOTS (nothing without roots). */
@Controller()
export class MediaController {
  constructor(@Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig) {}

  @Get('media')
  list(): Promise<MediaListing> {
    return listMedia(this.config.mediaRoots);
  }
}
