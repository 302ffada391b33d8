/**
 * @file A static file server for the browser tests and `npm run bench -- browser`: URL prefixes
 * mapped to folders, on 127.0.0.1 only, GET/HEAD only, paths confined to their folder. A test
 * may rewrite a file's bytes on the way out (to serve a corrupted model).
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.wav': 'audio/wav',
};

/** A running server; `url` ends with `/`. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Options of {@link serveFolders}. */
export interface ServeOptions {
  /** Rewrites a file's bytes before they are sent (`path` is the URL path). */
  rewrite?(path: string, bytes: Uint8Array): Uint8Array;
  /** Inline pages by URL path (e.g. `/index.html`). */
  pages?: Record<string, string>;
}

/**
 * Serves each folder under its prefix (`{ '/models/': dir }`).
 * @returns the server's base URL and its `close`.
 */
export async function serveFolders(mounts: Record<string, string>, options: ServeOptions = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const page = options.pages?.[path];
      if (page !== undefined) {
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(page);
        return;
      }
      const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
      if (!prefix) {
        res.writeHead(404).end();
        return;
      }
      const rel = normalize(path.slice(prefix.length));
      if (rel.startsWith('..') || rel.includes(`${sep}..${sep}`)) {
        res.writeHead(403).end();
        return;
      }
      const file = join(mounts[prefix], rel);
      try {
        if (!(await stat(file)).isFile()) throw new Error('not a file');
      } catch {
        res.writeHead(404).end();
        return;
      }
      let bytes: Uint8Array = await readFile(file);
      if (options.rewrite) bytes = options.rewrite(path, bytes);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': bytes.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
