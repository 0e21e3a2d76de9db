import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The player page, built from web/orchestrator-player into dist/web/orchestrator-player by `npm run build` (scripts/build-web.mjs). */
const PLAYER_PAGE_ROOT = join(__dirname, '..', '..', '..', '..', 'web', 'orchestrator-player');

/** Serves the player page at `/`; a path that is no file of it falls through to the API's routes. */
export function servePlayerPage(app: NestExpressApplication): void {
  app.useStaticAssets(PLAYER_PAGE_ROOT, { index: 'index.html' });
}
