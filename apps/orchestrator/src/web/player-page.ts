import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The player page (web/orchestrator-player), copied to dist/web by `npm run build`: the same place relative to this file compiled or not. */
const PLAYER_PAGE_ROOT = join(__dirname, '..', '..', '..', '..', 'web', 'orchestrator-player');

/** Serves the player page at `/`; a path that is no file of it falls through to the API's routes. */
export function servePlayerPage(app: NestExpressApplication): void {
  app.useStaticAssets(PLAYER_PAGE_ROOT, { index: 'index.html' });
}
