/**
 * @file The explorer's HTTP server: the built page (through sirv) and the code sets given on
 * the command line, on 127.0.0.1 only. Nothing else is reachable: only GET/HEAD of the page's
 * own files, `sets.json` and `data/<i>/codes.npy|rows.csv|labels.bin`; requests whose Host is not this
 * loopback address are refused (a DNS-rebinding page elsewhere cannot read the codes).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, MANIFEST_FILE, ModelNotFoundError, readManifest } from '@latentkit/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sirv from 'sirv';
import { labelsOf, type CodeSetFiles } from './code-sets.js';

/** Options of {@link startExplorerServer}. */
export interface ExplorerServerOptions {
  /** Code sets to serve, in the order the page lists them. */
  sets: readonly CodeSetFiles[];
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * A model folder the codes came from: served under `/model/` (its `latentkit.json` and the
   * files that lists, nothing else) so the page decodes what is clicked. @default none
   */
  model?: string;
}

/** A running explorer server. */
export interface ExplorerServer {
  /** The page's address, e.g. `http://127.0.0.1:5174/`. */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Longest request target accepted (the page's own URLs are short). */
const MAX_URL = 2048;
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // 'unsafe-eval': regl compiles its draw commands with new Function. blob: workers:
  // regl-scatterplot builds its spatial index in a worker made from a Blob. 'unsafe-eval' also
  // lets tfjs compile its wasm backend; blob: media plays a decoded clip.
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'",
};

/**
 * The folder of the built page (dist/page). Found beside this module once built, or from
 * src/ through the package's dist/ when run from source (tests).
 * @returns an absolute path.
 * @throws {ModelNotFoundError} when the page has not been built.
 */
export function explorerPageDir(): string {
  for (const rel of ['../page/', '../../dist/page/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}explorer.js`)) return dir;
  }
  throw new ModelNotFoundError('The explorer page is not built (dist/page/explorer.js is missing).', { hint: 'Run `npm run build`.' });
}

function send(res: ServerResponse, status: number, type: string, body: Uint8Array | string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * One file of the served model folder: `latentkit.json`, or a file it lists (by the manifest
 * as it is now, so a re-save is served whole); anything else is 404.
 */
async function sendModelFile(dir: string, rel: string, res: ServerResponse): Promise<void> {
  try {
    const manifest = await readManifest(dir);
    if (rel !== MANIFEST_FILE && !Object.hasOwn(manifest.files, rel)) return send(res, 404, 'text/plain', 'not found\n');
    const type = rel.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    send(res, 200, type, new Uint8Array(await readFile(join(dir, rel))));
  } catch (e) {
    send(res, 500, 'text/plain', `${(e as Error).message}\n`);
  }
}

/** The `sets.json` the page reads. */
export function setsListing(sets: readonly CodeSetFiles[]): {
  sets: { name: string; n: number; d: number; codes: string; rows: string | null; labels: string | null }[];
} {
  return {
    sets: sets.map((s, i) => ({
      name: s.name,
      n: s.n,
      d: s.d,
      codes: `data/${i}/codes.npy`,
      rows: s.rows === null ? null : `data/${i}/rows.csv`,
      labels: s.rows === null ? null : `data/${i}/labels.bin`,
    })),
  };
}

/**
 * Starts the explorer on 127.0.0.1.
 * @param options - the code sets and the port.
 * @returns the running server; print its `url`.
 * @throws {InvalidArgumentError} on a port outside 0..65535.
 * @throws {ModelNotFoundError} when the page is not built.
 * @example
 * ```ts
 * const server = await startExplorerServer({ sets: [await readCodeSet({ codes: 'out/mnist.npy' })] });
 * console.log(`latent explorer: ${server.url}`);
 * ```
 */
export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`Port must be an integer in 0..65535, got ${port}.`);
  const assets = sirv(explorerPageDir(), { dev: false, etag: true, dotfiles: false, setHeaders: (res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  } });
  // Checked now, so a wrong --model is an error on the command line, not in the page.
  if (options.model !== undefined) await readManifest(options.model);
  const labels = options.sets.map(labelsOf);
  const listing = JSON.stringify({ ...setsListing(options.sets), model: options.model === undefined ? null : 'model/' });
  let allowedHosts: Set<string> = new Set();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'text/plain', 'unknown host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (url.length > MAX_URL) return send(res, 414, 'text/plain', 'URL too long\n');
    const path = url.split('?')[0];
    if (path === '/sets.json') return send(res, 200, 'application/json', listing);
    const m = /^\/data\/(\d{1,6})\/(codes\.npy|rows\.csv|labels\.bin)$/.exec(path);
    if (m) {
      const set = options.sets[Number(m[1])];
      const body = set && (m[2] === 'codes.npy' ? set.codes : m[2] === 'labels.bin' ? labels[Number(m[1])] : set.rows);
      if (body === undefined || body === null) return send(res, 404, 'text/plain', 'not found\n');
      return send(res, 200, m[2] === 'rows.csv' ? 'text/csv; charset=utf-8' : 'application/octet-stream', body);
    }
    if (path.startsWith('/model/') && options.model !== undefined) {
      void sendModelFile(options.model, decodeURIComponent(path.slice('/model/'.length)), res);
      return;
    }
    assets(req, res, () => send(res, 404, 'text/plain', 'not found\n'));
  };
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`${HOST}:${bound}`, `localhost:${bound}`]);
  return {
    url: `http://${HOST}:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
