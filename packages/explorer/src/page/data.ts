/**
 * @file Opening code sets in the page: a `.npy` of codes and its row manifest, fetched from
 * the explorer server (or a static export) or picked from the user's disk.
 */
import { DecodeError, decodeNpy, parseRowsCsv, rowsManifestPath, ShapeMismatchError } from '@latentkit/core';
import { decodeLabelIndex, indexLabels, type LabelIndex } from '../label-index.js';
import type { RowsSource } from './protocol.js';

/** One entry of `sets.json`, as `latentkit explore` and the static export write it. */
export interface CodeSetEntry {
  name: string;
  /** URL of the `.npy`, relative to the page. */
  codes: string;
  /** URL of the row manifest, or null when the codes came without one. */
  rows: string | null;
  /**
   * URL of the compact labels (`labels.bin`, label-index.ts); absent or null: the labels come
   * from the manifest, parsed up front.
   */
  labels?: string | null;
  /**
   * URL of the model folder that decodes this set's codes (a static export names one per set);
   * absent: the listing's `model`, if any.
   */
  model?: string | null;
}

/** A code set ready for the worker and the page. */
export interface OpenedSet {
  name: string;
  n: number;
  d: number;
  codes: Float32Array;
  /** Each row's label, as a table and indices. */
  labels: LabelIndex;
  /**
   * Where the worker reads the full manifest (sources, sentences) when a hover, click or text
   * search first needs it; null: rows are named by index.
   */
  rows: RowsSource | null;
  /** Milliseconds spent fetching or reading, decoding the codes, and reading the labels. */
  timings: { read: number; decode: number; rows: number };
  /** URL of the model folder that decodes these codes, if one was served with them. */
  model?: string;
}

/**
 * The common case, little-endian float32 C-order 2-D codes with a 4-aligned data offset (what
 * latentkit writes), as a view on the fetched buffer: decodeNpy copies, 128 MB at 1M x 32
 * (over a second on a busy machine). Anything else, or any doubt, goes through decodeNpy.
 */
function float32View(bytes: Uint8Array): { n: number; d: number; codes: Float32Array } | null {
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes[6] !== 1 || bytes.byteOffset !== 0) return null;
  const headerLen = bytes[8] | (bytes[9] << 8);
  const offset = 10 + headerLen;
  if (offset % 4 !== 0 || offset > bytes.length) return null;
  let header = '';
  for (let i = 10; i < offset; i++) header += String.fromCharCode(bytes[i]);
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n$/.exec(header);
  if (!m) return null;
  const n = Number(m[1]);
  const d = Number(m[2]);
  if (n < 1 || d < 1 || bytes.length !== offset + n * d * 4) return null;
  return { n, d, codes: new Float32Array(bytes.buffer, offset, n * d) };
}

function decodeCodes(name: string, bytes: Uint8Array): { n: number; d: number; codes: Float32Array } {
  const fast = float32View(bytes);
  if (fast) return fast;
  const arr = decodeNpy(bytes, name);
  if (arr.shape.length !== 2) {
    throw new ShapeMismatchError(`${name}: codes must be a 2-D array (rows x features); found shape [${arr.shape.join(', ')}].`);
  }
  const [n, d] = arr.shape;
  return { n, d, codes: arr.dtype === 'float32' ? arr.data : Float32Array.from(arr.data) };
}

/** Labels of a set: from `labels.bin`, else from its parsed manifest, else all empty. */
function labelsFrom(bin: Uint8Array | null, csv: string | null, n: number, file: string): LabelIndex {
  if (bin !== null) return decodeLabelIndex(bin, n, file);
  if (csv !== null) return indexLabels(parseRowsCsv(csv, { file, expectedRows: n }).label);
  return { table: [''], index: new Uint16Array(n) };
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new DecodeError(`${url}: the server answered ${res.status} ${res.statusText}.`, { file: url });
  return res;
}

/**
 * Lists the code sets the page was served with.
 * @param url - the listing (`sets.json` beside the page).
 * @returns the entries (none when there is no listing: a page opened without data) and the
 *   served model folder's URL, if any.
 */
export async function listServedSets(url = 'sets.json'): Promise<{ sets: CodeSetEntry[]; model: string | null }> {
  const res = await fetch(url);
  if (res.status === 404) return { sets: [], model: null };
  if (!res.ok) throw new DecodeError(`${url}: the server answered ${res.status}.`, { file: url });
  const json = (await res.json()) as { sets?: CodeSetEntry[]; model?: unknown };
  if (!Array.isArray(json.sets)) throw new DecodeError(`${url}: expected { "sets": [...] }.`, { file: url });
  return { sets: json.sets, model: typeof json.model === 'string' ? json.model : null };
}

/**
 * Fetches one served code set.
 * @param entry - its listing entry.
 * @returns the decoded set.
 * @throws {DecodeError} on an HTTP error or a malformed file.
 */
export async function fetchSet(entry: CodeSetEntry): Promise<OpenedSet> {
  const t0 = performance.now();
  // Only the codes and the small label file come up front; the CSV manifest waits for the
  // worker to need it (a 1M-row manifest is ~60 MB to move and parse).
  const labelsUrl = entry.labels ?? null;
  const [codeBytes, labelBytes, csv] = await Promise.all([
    fetchOk(entry.codes).then((r) => r.arrayBuffer()),
    labelsUrl ? fetchOk(labelsUrl).then((r) => r.arrayBuffer()) : Promise.resolve(null),
    !labelsUrl && entry.rows ? fetchOk(entry.rows).then((r) => r.text()) : Promise.resolve(null),
  ]);
  const t1 = performance.now();
  const { n, d, codes } = decodeCodes(entry.name, new Uint8Array(codeBytes));
  const t2 = performance.now();
  const labels = labelsFrom(labelBytes && new Uint8Array(labelBytes), csv, n, labelsUrl ?? entry.rows ?? '');
  const rows: RowsSource | null = entry.rows ? { url: new URL(entry.rows, location.href).href } : null;
  const set: OpenedSet = { name: entry.name, n, d, codes, labels, rows, timings: { read: t1 - t0, decode: t2 - t1, rows: performance.now() - t2 } };
  return typeof entry.model === 'string' ? { ...set, model: entry.model } : set;
}

/**
 * Opens code sets from files the user picked: each `.npy` with its `<name>.rows.csv` when
 * that was picked too (parsed here for the labels; the worker reads it again for the rest).
 * @param files - the picked files.
 * @returns one set per `.npy`.
 * @throws {DecodeError} when no `.npy` was picked or a file is malformed.
 */
export async function openFiles(files: readonly File[]): Promise<OpenedSet[]> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const npys = files.filter((f) => /\.npy$/i.test(f.name));
  if (npys.length === 0) throw new DecodeError('Pick at least one .npy file of codes (and its .rows.csv manifest).');
  return Promise.all(
    npys.map(async (f) => {
      const t0 = performance.now();
      const rowsFile = byName.get(rowsManifestPath(f.name));
      const csv = rowsFile ? await rowsFile.text() : null;
      const bytes = new Uint8Array(await f.arrayBuffer());
      const t1 = performance.now();
      const name = f.name.replace(/\.npy$/i, '');
      const { n, d, codes } = decodeCodes(name, bytes);
      const t2 = performance.now();
      const labels = labelsFrom(null, csv, n, rowsFile?.name ?? '');
      return { name, n, d, codes, labels, rows: rowsFile ? { file: rowsFile } : null, timings: { read: t1 - t0, decode: t2 - t1, rows: performance.now() - t2 } };
    }),
  );
}
