#!/usr/bin/env node
// The player pages, as `npm run build` makes them: each page's main.ts bundled with esbuild into
// dist/web/<page>/player.js (one script, the shared player of web/player/src inside), its page.css
// (which imports the player's) into player.css, and its index.html copied. esbuild strips the
// types without checking them: `tsc -p web/tsconfig.json` checks them, before this runs.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAGES = ['jit-player', 'orchestrator-player'];
const out = join(root, 'dist', 'web');

await rm(out, { recursive: true, force: true });
for (const page of PAGES) {
  const source = join(root, 'web', page);
  const target = join(out, page);
  await mkdir(target, { recursive: true });
  const common = {
    bundle: true,
    target: ['chrome109', 'firefox115', 'safari16'],
    sourcemap: true,
    logLevel: 'warning',
    legalComments: 'none',
  };
  await build({ ...common, entryPoints: [join(source, 'main.ts')], outfile: join(target, 'player.js'), format: 'iife' });
  await build({ ...common, entryPoints: [join(source, 'page.css')], outfile: join(target, 'player.css') });
  await copyFile(join(source, 'index.html'), join(target, 'index.html'));
}
