/**
 * @file The explorer's Web Worker: holds every opened code set and runs what would freeze
 * the page — PCA, UMAP, nearest-neighbour scans. One worker, one request at a time, in order.
 */
import { DecodeError, InvalidArgumentError, createRng, parseRowsCsv, type RowManifest } from '@latentkit/core';
import { UMAP } from 'umap-js';
import { NeighbourIndex } from './knn.js';
import { fitPcaBasis, projectOnto, type PcaBasis } from './pca.js';
import type { NeighbourList, RowItem, RowsSource, WorkerEnvelope, WorkerReplies, WorkerResponse } from './protocol.js';
import { findRows } from './search.js';

interface HeldSet {
  codes: Float32Array;
  d: number;
  n: number;
  basis?: PcaBasis;
  index: NeighbourIndex;
  name: string;
  rowsSource: RowsSource | null;
  /** The full manifest, read on first need (hover, click, text search). */
  manifest?: Promise<RowManifest | null>;
}

const sets = new Map<number, HeldSet>();
const scope = self as unknown as { postMessage(m: WorkerResponse, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerEnvelope>) => void) | null };

function held(set: number): HeldSet {
  const s = sets.get(set);
  if (!s) throw new InvalidArgumentError(`Code set ${set} is not loaded.`);
  return s;
}

function progress(text: string): void {
  scope.postMessage({ id: -1, progress: text });
}

/** The set's full row manifest, fetched and parsed once, here rather than on the page's thread. */
function manifest(s: HeldSet): Promise<RowManifest | null> {
  s.manifest ??= (async () => {
    const src = s.rowsSource;
    if (src === null) return null;
    progress(`reading the row manifest of ${s.name}...`);
    let text: string;
    if ('url' in src) {
      const res = await fetch(src.url);
      if (!res.ok) throw new DecodeError(`${src.url}: the server answered ${res.status}.`, { file: src.url });
      text = await res.text();
    } else text = await src.file.text();
    return parseRowsCsv(text, { file: 'url' in src ? src.url : 'rows.csv', expectedRows: s.n });
  })();
  // A failed read is retried on the next request rather than cached.
  s.manifest.catch(() => (s.manifest = undefined));
  return s.manifest;
}

async function describe(set: number, rows: number[]): Promise<WorkerReplies['describe']> {
  const s = held(set);
  const m = await manifest(s);
  const items = rows.map((r): RowItem => {
    if (!Number.isInteger(r) || r < 0 || r >= s.n) throw new InvalidArgumentError(`No row ${r} in code set ${set}.`);
    if (m === null) return { source: `${s.name}#${r}`, label: '' };
    const text = m.text?.[r];
    return text ? { source: m.source[r], label: m.label[r], text } : { source: m.source[r], label: m.label[r] };
  });
  return { items };
}

async function search(set: number, query: string): Promise<WorkerReplies['search']> {
  const s = held(set);
  const m = await manifest(s);
  if (m === null) return { rows: new Int32Array(0) };
  return { rows: Int32Array.from(findRows(m, query)) };
}

function pca(set: number): WorkerReplies['pca'] {
  const s = held(set);
  const t0 = performance.now();
  s.basis ??= fitPcaBasis(s.codes, s.n, s.d);
  const xy = projectOnto(s.codes, s.basis, Math.min(2, s.d));
  const ms = performance.now() - t0;
  return { xy: s.d >= 2 ? xy : interleaveZeros(xy), varianceRatio: Array.from(s.basis.varianceRatio.subarray(0, 2)), ms };
}

/** A 1-d code set is drawn on a line. */
function interleaveZeros(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length * 2);
  x.forEach((v, i) => (out[2 * i] = v));
  return out;
}

/** Rotates a set into its PCA basis so kNN scans prune early (see knn.ts). */
function index(set: number): void {
  const s = held(set);
  s.basis ??= fitPcaBasis(s.codes, s.n, s.d);
  s.index = NeighbourIndex.inBasis(s.codes, s.basis);
  // One query now, its answer dropped: the scan gets compiled and the rotated rows paged in
  // while the user looks at the picture, rather than on their first click (about 100 ms at 1M).
  if (s.n > 1) s.index.query(s.index.row(0), Math.min(10, s.n - 1), 0);
}

async function umap(set: number, maxPoints: number, seed: number): Promise<WorkerReplies['umap']> {
  const s = held(set);
  const t0 = performance.now();
  const m = Math.min(s.n, Math.max(16, Math.floor(maxPoints)));
  // A seeded partial shuffle picks the sample; sorted so the scatter keeps row order.
  const rnd = createRng(seed);
  const order = Int32Array.from({ length: s.n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rnd() * (s.n - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const rows = order.slice(0, m).sort();
  const data = Array.from(rows, (r) => Array.from(s.codes.subarray(r * s.d, (r + 1) * s.d)));
  const model = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, m - 1), minDist: 0.1, random: createRng(seed + 1) });
  const epochs = model.initializeFit(data);
  for (let e = 0; e < epochs; e++) {
    model.step();
    if (e % 25 === 0) progress(`UMAP of ${m.toLocaleString('en')} rows: epoch ${e} of ${epochs}`);
  }
  const emb = model.getEmbedding();
  const xy = new Float32Array(m * 2);
  emb.forEach((p, i) => {
    xy[2 * i] = p[0];
    xy[2 * i + 1] = p[1];
  });
  return { xy, rows, ms: performance.now() - t0 };
}

function knn(set: number, row: number, k: number, across: number[]): WorkerReplies['knn'] {
  const s = held(set);
  const t0 = performance.now();
  const point = s.index.row(row);
  const r = s.index.query(point, k, row);
  const within: NeighbourList = { set, indices: r.indices, distances: r.distances };
  const others: NeighbourList[] = [];
  for (const o of across) {
    const t = held(o);
    if (t.d !== s.d || o === set) continue;
    const q = t.index.query(point, k);
    others.push({ set: o, indices: q.indices, distances: q.distances });
  }
  return { within, across: others, ms: performance.now() - t0, method: 'exact Euclidean, PCA-rotated rows sorted by the first component, slab walk with partial-distance pruning' };
}

async function handle(m: WorkerEnvelope): Promise<WorkerReplies[keyof WorkerReplies]> {
  switch (m.type) {
    case 'load': {
      if (m.d < 1 || m.codes.length % m.d !== 0) throw new InvalidArgumentError(`${m.codes.length} values are not rows of ${m.d}.`);
      sets.set(m.set, { codes: m.codes, d: m.d, n: m.codes.length / m.d, index: NeighbourIndex.raw(m.codes, m.d), name: m.name, rowsSource: m.rows });
      return { n: m.codes.length / m.d };
    }
    case 'describe':
      return describe(m.set, m.rows);
    case 'search':
      return search(m.set, m.query);
    case 'pca':
      return pca(m.set);
    case 'umap':
      return umap(m.set, m.maxPoints, m.seed);
    case 'knn':
      return knn(m.set, m.row, m.k, m.across);
    case 'row': {
      const t = sets.get(m.set);
      if (!t || !Number.isInteger(m.row) || m.row < 0 || m.row >= t.n) throw new InvalidArgumentError(`No row ${m.row} in code set ${m.set}.`);
      return { code: t.codes.slice(m.row * t.d, (m.row + 1) * t.d) };
    }
  }
}

let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  const m = e.data;
  queue = queue.then(async () => {
    try {
      const result = await handle(m);
      const transfer: Transferable[] = [];
      if ('xy' in result) transfer.push(result.xy.buffer);
      if (m.type === 'search' && 'rows' in result && result.rows instanceof Int32Array) transfer.push(result.rows.buffer);
      scope.postMessage({ id: m.id, ok: true, result }, transfer);
      // After the first projection is on screen, build the rotated kNN index.
      if (m.type === 'pca' && n(m.set) > 1) index(m.set);
      // Then, with the worker otherwise idle, the full manifest, so the first hover or
      // text search finds it read (its failure is reported when a request needs it).
      if (m.type === 'pca') manifest(held(m.set)).catch(() => undefined);
    } catch (err) {
      const x = err as { name?: string; code?: string; message?: string };
      scope.postMessage({ id: m.id, ok: false, error: { name: x.name ?? 'Error', code: x.code, message: x.message ?? String(err) } });
    }
  });
};

function n(set: number): number {
  return sets.get(set)?.n ?? 0;
}
