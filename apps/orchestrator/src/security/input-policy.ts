import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputSpec, MediaRoots } from '@jit/config';
import { BadInputError } from '@jit/errors';
import { classifyHost } from './address-policy';

/** An input the policy refuses; the message names it. */
export class InputPolicyError extends BadInputError {}

/** `..` as a path segment, also percent-encoded (%2e%2e), also after a second decoding. */
const TRAVERSAL = /(^|[/\\])\.\.([/\\]|$)/;
function hasTraversal(text: string): boolean {
  let current = text;
  for (let round = 0; round < 3; round++) {
    if (TRAVERSAL.test(current)) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return false;
    }
    if (decoded === current) return false;
    current = decoded;
  }
  return true;
}

/** Where a path really leads: its nearest existing folder resolved (symlinks followed), the rest as written. */
async function realLocation(path: string): Promise<string> {
  const rest: string[] = [];
  for (let head = path; ; head = dirname(head)) {
    const real = await realpath(head).catch(() => undefined);
    if (real !== undefined) return join(real, ...rest);
    if (dirname(head) === head) return path;
    rest.unshift(basename(head));
  }
}

const within = (path: string, root: string) => path === root || path.startsWith(root === sep ? root : `${root}${sep}`);

/**
 * Where a session's inputs may come from (JIT_MEDIA_ROOTS), checked at the orchestrator before a
 * workflow starts: schemes file, http(s) and s3 only; never a `..` segment (plain or encoded);
 * file:// only for this machine; local paths absolute, and with roots inside one of them, symlinks
 * resolved (realpath) when the file is visible here; http(s) never to the cloud metadata address,
 * and to loopback or link-local addresses only under a root that names them; with roots, URLs
 * only under a URL root.
 */
export class InputPolicy {
  constructor(private readonly roots: MediaRoots | undefined) {}

  async check(inputs: readonly InputSpec[]): Promise<void> {
    for (const input of inputs) await this.checkOne(input.url);
  }

  private async checkOne(url: string): Promise<void> {
    const refuse = (why: string): never => {
      throw new InputPolicyError(`input ${JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url)}: ${why}`);
    };
    if (hasTraversal(url)) refuse('".." path segments are not allowed');
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
    if (!scheme) return this.checkPath(url, refuse);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return refuse('not a valid URL');
    }
    if (scheme === 'file') {
      if (parsed.host && parsed.host !== 'localhost') refuse(`file:// URLs must not name a host (${parsed.host})`);
      let path: string;
      try {
        path = fileURLToPath(parsed);
      } catch (error) {
        return refuse(`not a usable file:// URL (${(error as Error).message})`);
      }
      return this.checkPath(path, refuse);
    }
    if (scheme === 'http' || scheme === 'https' || scheme === 's3') return this.checkUrl(parsed, scheme, refuse);
    refuse('only local paths, file://, http(s):// and s3:// URLs are allowed');
  }

  private async checkPath(path: string, refuse: (why: string) => never): Promise<void> {
    if (!isAbsolute(path)) refuse('local paths must be absolute');
    if (!this.roots) return;
    const roots = this.roots.paths;
    if (roots.length === 0) refuse('local files are not allowed (JIT_MEDIA_ROOTS names no folder)');
    if (!roots.some((root) => within(normalize(path), root))) refuse(`not under a media root (${roots.join(', ')})`);
    // A symlink inside a root may point anywhere: where the file really is must be inside too.
    const real = await realLocation(normalize(path));
    const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
    if (!realRoots.some((root) => within(real, root))) refuse(`leads out of the media roots (it is ${real})`);
  }

  private async checkUrl(url: URL, scheme: string, refuse: (why: string) => never): Promise<void> {
    if (!url.hostname) refuse(`${scheme}:// URLs need a host`);
    const reaches = scheme === 's3' ? 'other' : await classifyHost(url.hostname);
    if (reaches === 'metadata') refuse('the cloud metadata address is never an input');
    const underRoot = this.roots?.urls.some((root) => url.href.startsWith(root)) ?? false;
    if (this.roots && !underRoot) {
      refuse(
        this.roots.urls.length
          ? `not under a media root (${this.roots.urls.join(', ')})`
          : `${scheme}:// inputs are not allowed (JIT_MEDIA_ROOTS names no URL)`,
      );
    }
    if (reaches === 'local' && !underRoot)
      refuse(`${url.hostname} is a loopback or link-local address (allowed only under a JIT_MEDIA_ROOTS URL that names it)`);
  }
}
