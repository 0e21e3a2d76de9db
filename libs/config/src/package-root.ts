import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of jit's package.json, found from this file (in the sources and in their build
 * under dist/ alike): where the files the programs ship (scripts, web pages) are, whatever the
 * working directory of a `npx jit-orchestrator` is.
 */
export const PACKAGE_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'jit') return dir;
    if (dirname(dir) === dir) throw new Error(`jit's package.json was not found above ${__dirname}`);
  }
})();
