import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** A file the player page offers as an input: `url` is what a session takes, `path` what a user reads. */
export interface MediaFile {
  url: string;
  path: string;
}

export interface MediaListing {
  /** The configured roots, folders and URL prefixes (only folders are listed). */
  roots: string[];
  files: MediaFile[];
  /** Files past the first MAX_FILES, or in folders more than MAX_DEPTH below a root, were left out. */
  truncated: boolean;
}

const MAX_FILES = 1000;
const MAX_DEPTH = 7;
const MEDIA = /\.(mov|mxf|mp4|m4v|mkv|avi|webm|mts|m2ts|ts|y4m|wav|w64|rf64|aif|aiff|flac|mp3|m4a|aac|ogg|opus)$/i;

/**
 * The media files under the local folder roots, sorted, hidden entries and symbolic links left out
 * (a link may lead out of its root; the input policy would refuse it anyway). No roots: nothing.
 */
export async function listMedia(roots: { paths: string[]; urls: string[] } | undefined): Promise<MediaListing> {
  if (!roots) return { roots: [], files: [], truncated: false };
  const files: MediaFile[] = [];
  let truncated = false;
  for (const root of roots.paths) {
    const pending: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
    while (pending.length && !truncated) {
      const { dir, depth } = pending.shift()!;
      const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.')) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (depth < MAX_DEPTH) pending.push({ dir: full, depth: depth + 1 });
          else truncated = true;
        } else if (entry.isFile() && MEDIA.test(entry.name)) {
          if (files.length === MAX_FILES) {
            truncated = true;
            break;
          }
          files.push({ url: full, path: join(basename(root), relative(root, full)) });
        }
      }
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { roots: [...roots.paths, ...roots.urls], files, truncated };
}
