import { isAbsolute, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The orchestrator's security settings: the REST API's bearer token and where inputs may come
 * from. Spread into the orchestrator's settings table and schema: one parse, one place.
 */
export const SECURITY_SETTINGS = {
  apiToken: { env: 'JIT_API_TOKEN' },
  mediaRoots: { env: 'JIT_MEDIA_ROOTS' },
} as const satisfies Record<string, { env: string }>;

/** Where inputs may come from: local folders and URL prefixes (http(s)://host[:port]/path/, s3://bucket/prefix/). */
export interface MediaRoots {
  paths: string[];
  urls: string[];
}

const mediaRoot = z.string().transform((entry, ctx): { path: string } | { url: string } | typeof z.NEVER => {
  if (isAbsolute(entry)) return { path: normalize(entry).replace(/(.)\/$/, '$1') };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${entry}" is neither an absolute path nor a URL` });
    return z.NEVER;
  }
  if (url.protocol === 'file:') {
    if (url.host) {
      ctx.addIssue({ code: 'custom', message: `"${entry}": a file:// root must not name a host` });
      return z.NEVER;
    }
    return { path: normalize(fileURLToPath(url)).replace(/(.)\/$/, '$1') };
  }
  if (!['http:', 'https:', 's3:'].includes(url.protocol) || !url.host || url.username || url.password || url.search || url.hash) {
    ctx.addIssue({
      code: 'custom',
      message: `"${entry}": roots are paths, file://, http(s)://host/… or s3://bucket/… without credentials or query`,
    });
    return z.NEVER;
  }
  // A prefix matches whole path segments: https://media/a/ does not take https://media/ab.
  return { url: url.href.endsWith('/') ? url.href : `${url.href}/` };
});

/** The fields, validated as the orchestrator's other settings are. */
export const securitySettingsShape = {
  /** When set, every REST call but /health and the static files needs `Authorization: Bearer <token>`. */
  apiToken: z
    .string()
    .regex(/^[\x21-\x7e]{16,512}$/, 'must be 16-512 printable characters without spaces')
    .optional(),
  /** Comma-separated roots; unset: local files anywhere, http(s)/s3 anywhere but loopback, link-local and metadata addresses. */
  mediaRoots: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(mediaRoot).min(1, 'names no root'))
    .transform((roots): MediaRoots => ({
      paths: roots.flatMap((r) => ('path' in r ? [r.path] : [])),
      urls: roots.flatMap((r) => ('url' in r ? [r.url] : [])),
    }))
    .optional(),
};
