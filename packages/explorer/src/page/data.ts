/**
 * @file Opening code sets in the page: a `.npy` of codes and its row manifest, fetched from
 * the explorer server (or a static export) or picked from the user's disk.
 */
import { DecodeError, decodeNpy, parseRowsCsv, rowsManifestPath, ShapeMismatchError, type RowManifest } from '@latentkit/core';

/** One entry of `sets.json`, as `latentkit explore` and the static export write it. */
export interface CodeSetEntry {
  name: string;
  /** URL of the `.npy`, relative to the page. */
  codes: string;
  /** URL of the row manifest, or null when the codes came without one. */
  rows: string | null;
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
  rows: RowManifest;
  /** Milliseconds spent fetching or reading, decoding the codes, and parsing the manifest. */
  timings: { read: number; decode: number; rows: number };
  /** URL of the model folder that decodes these codes, if one was served with them. */
  model?: string;
}

/** A manifest for codes that came without one: each row named by its index. */
function anonymousRows(name: string, n: number): RowManifest {
  const source = Array.from({ length: n }, (_, i) => `${name}#${i}`);
  return { length: n, header: ['row', 'source'], source, label: new Array<string>(n).fill(''), columns: { source } };
}

function toSet(name: string, bytes: Uint8Array, rowsText: string | null, rowsName: string, read: number): OpenedSet {
  const t0 = performance.now();
  const arr = decodeNpy(bytes, name);
  if (arr.shape.length !== 2) {
    throw new ShapeMismatchError(`${name}: codes must be a 2-D array (rows x features); found shape [${arr.shape.join(', ')}].`);
  }
  const [n, d] = arr.shape;
  const codes = arr.dtype === 'float32' ? arr.data : Float32Array.from(arr.data);
  const t1 = performance.now();
  const rows = rowsText === null ? anonymousRows(name, n) : parseRowsCsv(rowsText, { file: rowsName, expectedRows: n });
  return { name, n, d, codes, rows, timings: { read, decode: t1 - t0, rows: performance.now() - t1 } };
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
  const [codes, rows] = await Promise.all([
    fetchOk(entry.codes).then((r) => r.arrayBuffer()),
    entry.rows ? fetchOk(entry.rows).then((r) => r.text()) : Promise.resolve(null),
  ]);
  const set = toSet(entry.name, new Uint8Array(codes), rows, entry.rows ?? '', performance.now() - t0);
  return typeof entry.model === 'string' ? { ...set, model: entry.model } : set;
}

/**
 * Opens code sets from files the user picked: each `.npy` with its `<name>.rows.csv` when
 * that was picked too.
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
      const rowsText = rowsFile ? await rowsFile.text() : null;
      const bytes = new Uint8Array(await f.arrayBuffer());
      return toSet(f.name.replace(/\.npy$/i, ''), bytes, rowsText, rowsFile?.name ?? '', performance.now() - t0);
    }),
  );
}
