/**
 * @file Reading a model folder over HTTP, for pages and Web Workers: `latentkit.json` first (the
 * weights folder it names, `weights-<id>`, changes with every save), then every file it lists,
 * each checked against its recorded size and sha256 (SubtleCrypto) before any network is built.
 * The checks are the Node reader's (folder-read.ts); only fetching and hashing differ.
 */
import { ChecksumMismatchError, ModelFormatError } from '../errors/errors.js';
import { MANIFEST_FILE, parseJson } from './folder-check.js';
import { readVerifiedFolder, type FolderSource } from './folder-read.js';
import { MAX_JSON_BYTES, validateManifest, type LoadedModelFolder, type ModelManifest, type ReadModelFolderOptions } from './model-manifest.js';

/** Options of {@link readModelFolderUrl}: the reader's, plus the `fetch` to use. */
export interface ReadModelUrlOptions extends ReadModelFolderOptions {
  /** The fetch function (a test's, or one adding credentials). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The folder URL with one trailing slash, so relative names resolve inside it. */
function folderUrl(url: string | URL): URL {
  // In a page a relative URL means relative to the page; Node has no page.
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let u: URL;
  try {
    u = new URL(String(url), base);
  } catch (e) {
    throw new ModelFormatError(`'${String(url)}' is not a URL of a model folder.`, { file: String(url), cause: e });
  }
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** Hex sha256 by WebCrypto (present in every page served over http(s) from localhost or https, and in Node 20). */
async function subtleSha256(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new ModelFormatError('WebCrypto (crypto.subtle) is not available, so the model files cannot be verified; serve the page over https or from localhost.');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Fetches one file, refusing an HTTP error, and a body longer than `maxBytes` (by its
 * Content-Length before reading, or while streaming when the server sends none).
 */
async function fetchBounded(doFetch: typeof fetch, url: URL, maxBytes: number, tooLarge: (n: number) => Error): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await doFetch(url.href);
  } catch (e) {
    throw new ModelFormatError(`Cannot fetch ${url.href} (${(e as Error).message}).`, { file: url.href, cause: e });
  }
  if (!res.ok) throw new ModelFormatError(`Cannot fetch ${url.href}: HTTP ${res.status} ${res.statusText}.`, { file: url.href });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(declared);
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(n);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Reads and verifies a model folder served over HTTP: the same checks as the Node reader
 * (manifest fields and version, kind and modality, path safety, size and sha256 of every
 * file, weight specs, no NaN or infinite weight, bounded network build).
 * @param url the folder's URL (absolute, or relative to the page), with or without a trailing slash.
 * @param options expected kind, modality and networks; `manifestOnly`; `allowNonFinite`; `fetch`.
 * @returns the manifest, the built networks (owned by the caller) and the extra files.
 * @throws {ModelFormatError} for a file that cannot be fetched or is malformed (names its URL).
 * @throws {ChecksumMismatchError} when a file's size or sha256 differs from `latentkit.json`.
 * @throws {ModelMismatchError} for a model of another kind or modality.
 * @example
 * ```ts
 * const folder = await readModelFolderUrl('/models/digits', { kind: 'image/conv-ae' });
 * ```
 */
export async function readModelFolderUrl(url: string | URL, options: ReadModelUrlOptions = {}): Promise<LoadedModelFolder> {
  const base = folderUrl(url);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const manifest = await readManifestUrl(base, doFetch);
  const source: FolderSource = {
    where: (rel) => new URL(rel, base).href,
    size: async () => undefined,
    read: (rel, expected) =>
      fetchBounded(doFetch, new URL(rel, base), expected, (n) => new ChecksumMismatchError(`${new URL(rel, base).href}: the server sends ${n} bytes or more, ${MANIFEST_FILE} records ${expected}; the file is truncated or was changed.`, { file: new URL(rel, base).href })),
    sha256: subtleSha256,
  };
  return readVerifiedFolder(source, manifest, options);
}

async function readManifestUrl(base: URL, doFetch: typeof fetch): Promise<ModelManifest> {
  const file = new URL(MANIFEST_FILE, base);
  const bytes = await fetchBounded(doFetch, file, MAX_JSON_BYTES, (n) => new ModelFormatError(`${file.href} is ${n} bytes or more, over the ${MAX_JSON_BYTES}-byte limit of a model manifest.`, { file: file.href }));
  return validateManifest(parseJson(bytes, file.href), file.href);
}

/**
 * Reads only a served folder's `latentkit.json` (validated), e.g. to dispatch on `kind`.
 * @throws {ModelFormatError} (and subclasses) as {@link readModelFolderUrl} for the manifest.
 */
export async function readServedManifest(url: string | URL, options: { fetch?: typeof fetch } = {}): Promise<ModelManifest> {
  return readManifestUrl(folderUrl(url), options.fetch ?? globalThis.fetch.bind(globalThis));
}
