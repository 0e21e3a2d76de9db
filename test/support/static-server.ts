/** A static file server with HTTP range requests, standing in for a media server or CDN on loopback. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

export interface StaticServer {
  /** URL under which `files[name]` is served (the name '' is the root, `/`; query strings are ignored). */
  url(name: string): string;
  /** Requests seen, as "METHOD /name range". */
  requests: string[];
  close(): Promise<void>;
}

/** Pages and scripts as what they are (a player page served from here), anything else as bytes. */
const contentType = (file: string): string =>
  ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' })[extname(file)] ?? 'application/octet-stream';

export async function serveFiles(files: Record<string, string>): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(1));
    requests.push(`${req.method} /${name} ${req.headers.range ?? ''}`.trim());
    const file = files[name];
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range?.[1] ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
    const headers = { 'accept-ranges': 'bytes', 'content-length': String(end - start + 1), 'content-type': contentType(file) };
    if (range) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${info.size}` });
    else res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
