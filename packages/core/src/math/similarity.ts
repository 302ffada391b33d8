/**
 * @file Pairwise similarity and nearest neighbours between sets of latents: cosine and
 * euclidean matrices, and exact k-nearest-neighbour search that scales to 60,000 x 60,000
 * by streaming score blocks from tfjs into per-query heaps (no `n x m` matrix is held).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InputTooLargeError, InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { checkMatrix, columnMeans, gemm } from './linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from './matrix.js';

/** Largest `n x m` matrix the pairwise functions return (256 MB of float32). */
export const MAX_PAIRWISE_ELEMENTS = 64 * 1024 * 1024;

/** Score-block size streamed from tfjs during a kNN search. */
const BLOCK_ELEMENTS = 1 << 22;

/** Distance used by {@link knn}. */
export type KnnMetric = 'cosine' | 'euclidean';

/** Options of {@link knn}. */
export interface KnnOptions {
  /** `'cosine'` ranks by cosine similarity (distance `1 - cos`), `'euclidean'` by L2 distance. @default 'cosine' */
  metric?: KnnMetric;
  /**
   * Query row `i` never returns reference row `i` (for neighbours within one set; query and
   * reference must then have the same number of rows).
   * @default false
   */
  excludeSelf?: boolean;
  /** Score-block size in elements (tests use small blocks to exercise the streaming). @internal */
  blockElements?: number;
}

/**
 * Neighbours per query row, nearest first (ties by lower index).
 * `indices[i][j]` is the reference row of the `j`-th neighbour of query `i`, and
 * `distances[i][j]` its distance (`1 - cosine` or L2), computed in float64 for the chosen pairs.
 */
export interface KnnResult {
  indices: Int32Array[];
  distances: Float32Array[];
}

/** Rows scaled to unit L2 norm (zero rows stay zero, so their cosine to anything is 0). */
function normalizeRows(m: Matrix): Matrix {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[o + j] * m.data[o + j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < m.cols; j++) out[o + j] = m.data[o + j] * inv;
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/** `m - mean` per row, so squared-norm expansions lose less to float32 cancellation. */
function shift(m: Matrix, mean: Float64Array): Matrix {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[o + j] = m.data[o + j] - mean[j];
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/** Columns `r0..r1` of `mᵀ` (`cols x (r1 - r0)`), the layout tfjs multiplies fastest. */
function transposedRows(m: Matrix, r0: number, r1: number): Float32Array {
  const c = r1 - r0;
  const out = new Float32Array(m.cols * c);
  for (let i = 0; i < c; i++) {
    const o = (r0 + i) * m.cols;
    for (let j = 0; j < m.cols; j++) out[j * c + i] = m.data[o + j];
  }
  return out;
}

function pairInputs(a: MatrixLike, b: MatrixLike | undefined, what: string): [Matrix, Matrix] {
  const ma = toMatrix(a);
  const mb = b === undefined ? ma : toMatrix(b);
  checkMatrix(ma, `${what} input a`);
  if (mb !== ma) checkMatrix(mb, `${what} input b`);
  if (ma.cols !== mb.cols) {
    throw new ShapeMismatchError(`${what}: a has ${ma.cols} columns but b has ${mb.cols}; both need the same dimension.`);
  }
  if (ma.rows * mb.rows > MAX_PAIRWISE_ELEMENTS) {
    throw new InputTooLargeError(
      `${what}: a ${ma.rows} x ${mb.rows} result exceeds ${MAX_PAIRWISE_ELEMENTS} elements.`,
      { hint: 'Use knn() for nearest neighbours, or compare a subset.' },
    );
  }
  return [ma, mb];
}

/** `a @ bᵀ` in row chunks of `a`. */
function productAbT(a: Matrix, b: Matrix): Float32Array {
  const bt = transposedRows(b, 0, b.rows);
  const out = new Float32Array(a.rows * b.rows);
  const step = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(b.rows, a.cols)));
  for (let r0 = 0; r0 < a.rows; r0 += step) {
    const c = Math.min(step, a.rows - r0);
    out.set(gemm(a.data.subarray(r0 * a.cols, (r0 + c) * a.cols), c, a.cols, bt, b.rows), r0 * b.rows);
  }
  return out;
}

/**
 * Cosine similarity of every row of `a` with every row of `b` (of `a` with itself when `b`
 * is omitted). Zero rows have similarity 0 to everything.
 * @param a - `n x d` rows.
 * @param b - `m x d` rows; defaults to `a`.
 * @returns `n x m` similarities in [-1, 1].
 * @throws {ShapeMismatchError} when the dimensions differ.
 * @throws {InputTooLargeError} when `n·m` exceeds {@link MAX_PAIRWISE_ELEMENTS}.
 * @throws {InvalidArgumentError} on empty input or non-finite values.
 * @example
 * ```ts
 * const s = await cosineSimilarityMatrix([[1, 0], [0, 1]], [[1, 1]]);
 * // s.data ≈ [0.7071, 0.7071], s.rows = 2, s.cols = 1
 * ```
 */
export async function cosineSimilarityMatrix(a: MatrixLike, b?: MatrixLike): Promise<Matrix> {
  const [ma, mb] = pairInputs(a, b, 'cosineSimilarityMatrix');
  await initEngine();
  const na = normalizeRows(ma);
  const nb = mb === ma ? na : normalizeRows(mb);
  const out = productAbT(na, nb);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i]));
  return { data: out, rows: ma.rows, cols: mb.rows };
}

/**
 * Euclidean (L2) distance between every row of `a` and every row of `b` (of `a` with
 * itself when `b` is omitted; the diagonal is then exactly 0). Computed as
 * `‖a‖² + ‖b‖² - 2a·b` on tfjs after centring both sets on `b`'s mean, so distances much
 * smaller than the data's spread carry float32 rounding (about 1e-3 of the spread).
 * @param a - `n x d` rows.
 * @param b - `m x d` rows; defaults to `a`.
 * @returns `n x m` distances.
 * @throws {ShapeMismatchError} when the dimensions differ.
 * @throws {InputTooLargeError} when `n·m` exceeds {@link MAX_PAIRWISE_ELEMENTS}.
 * @example
 * ```ts
 * const d = await euclideanDistanceMatrix([[0, 0], [3, 4]]); // d.data = [0, 5, 5, 0]
 * ```
 */
export async function euclideanDistanceMatrix(a: MatrixLike, b?: MatrixLike): Promise<Matrix> {
  const [ma, mb] = pairInputs(a, b, 'euclideanDistanceMatrix');
  await initEngine();
  const mean = columnMeans(mb);
  const sa = shift(ma, mean);
  const sb = mb === ma ? sa : shift(mb, mean);
  const qa = squaredNorms(sa);
  const qb = sb === sa ? qa : squaredNorms(sb);
  const out = productAbT(sa, sb);
  for (let i = 0; i < ma.rows; i++) {
    for (let j = 0; j < mb.rows; j++) {
      const k = i * mb.rows + j;
      out[k] = Math.sqrt(Math.max(0, qa[i] + qb[j] - 2 * out[k]));
    }
  }
  if (mb === ma) for (let i = 0; i < ma.rows; i++) out[i * ma.rows + i] = 0;
  return { data: out, rows: ma.rows, cols: mb.rows };
}

function squaredNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] ** 2;
    out[i] = s;
  }
  return out;
}

/**
 * Exact k-nearest neighbours of each query row among the reference rows.
 *
 * Scores are computed block by block on tfjs and kept in per-query heaps, so memory stays
 * O((n + m)·d + n·k) whatever `n·m` is. The heaps keep a few more than `k` candidates, whose
 * distances are recomputed in float64 to fix the final order (float32 scores cannot tell
 * apart pairs whose squared distances differ by less than ~1e-7 of the squared norms).
 * The work is O(n·m·d): on the wasm backend a 10,000-row self-search at d = 32 takes about
 * 1 s of CPU, 60,000 rows about 25 s, 10,000 rows at d = 784 about 7 s.
 * @param query - `n x d` rows.
 * @param reference - `m x d` rows.
 * @param k - neighbours per query, `1 <= k <= m` (`m - 1` with `excludeSelf`).
 * @param options - metric and self-exclusion.
 * @returns neighbours nearest first; see {@link KnnResult}.
 * @throws {InvalidArgumentError} on a bad `k`, empty input, non-finite values, or
 *   `excludeSelf` with different row counts.
 * @throws {ShapeMismatchError} when the dimensions differ.
 * @example
 * ```ts
 * const { indices, distances } = await knn(codes, codes, 5, { excludeSelf: true });
 * console.log(indices[0]); // the 5 rows most similar to row 0, nearest first
 * ```
 */
export async function knn(
  query: MatrixLike,
  reference: MatrixLike,
  k: number,
  options: KnnOptions = {},
): Promise<KnnResult> {
  const metric = options.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'euclidean') {
    throw new InvalidArgumentError(`knn metric must be 'cosine' or 'euclidean', got '${String(metric)}'.`);
  }
  const q = toMatrix(query);
  const r = query === reference ? q : toMatrix(reference);
  checkMatrix(q, 'knn query');
  if (r !== q) checkMatrix(r, 'knn reference');
  if (q.cols !== r.cols) {
    throw new ShapeMismatchError(`knn: query rows have ${q.cols} values but reference rows have ${r.cols}.`);
  }
  const excludeSelf = options.excludeSelf ?? false;
  if (excludeSelf && q.rows !== r.rows) {
    throw new InvalidArgumentError(
      `knn excludeSelf needs query and reference of the same rows; found ${q.rows} and ${r.rows}.`,
    );
  }
  const available = r.rows - (excludeSelf ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > available) {
    throw new InvalidArgumentError(`knn k must be an integer in [1, ${available}], got ${k}.`);
  }
  await initEngine();

  // Turn both metrics into "larger score = nearer" with one product:
  // cosine: q̂·r̂; euclidean: 2q·r - ‖r‖² (‖q‖² is constant per query), via an extra column.
  let qs: Matrix;
  let rs: Matrix;
  let exactQ: Matrix;
  let exactR: Matrix;
  if (metric === 'cosine') {
    exactQ = qs = normalizeRows(q);
    exactR = rs = r === q ? qs : normalizeRows(r);
  } else {
    const mean = columnMeans(r);
    exactQ = shift(q, mean);
    exactR = r === q ? exactQ : shift(r, mean);
    const d = q.cols;
    qs = { data: new Float32Array(q.rows * (d + 1)), rows: q.rows, cols: d + 1 };
    rs = { data: new Float32Array(r.rows * (d + 1)), rows: r.rows, cols: d + 1 };
    for (let i = 0; i < q.rows; i++) {
      qs.data.set(exactQ.data.subarray(i * d, (i + 1) * d), i * (d + 1));
      qs.data[i * (d + 1) + d] = 1;
    }
    const rn = squaredNorms(exactR);
    for (let i = 0; i < r.rows; i++) {
      for (let j = 0; j < d; j++) rs.data[i * (d + 1) + j] = 2 * exactR.data[i * d + j];
      rs.data[i * (d + 1) + d] = -rn[i];
    }
  }

  // float32 scores blur pairs closer than their rounding (~1e-7 of the squared norms), so a
  // few extra candidates are kept and the final order comes from float64 distances.
  const kk = Math.min(available, k + Math.max(4, Math.ceil(k / 2)));
  const heapScore = new Float32Array(q.rows * kk).fill(-Infinity);
  const heapIndex = new Int32Array(q.rows * kk).fill(-1);
  const block = options.blockElements ?? BLOCK_ELEMENTS;
  const refStep = Math.max(1, Math.min(r.rows, Math.floor(block / rs.cols)));
  const queryStep = Math.max(1, Math.min(q.rows, Math.floor(block / Math.max(refStep, qs.cols))));
  for (let r0 = 0; r0 < r.rows; r0 += refStep) {
    const rc = Math.min(refStep, r.rows - r0);
    const rt = tf.tensor2d(transposedRows(rs, r0, r0 + rc), [rs.cols, rc]);
    try {
      for (let q0 = 0; q0 < q.rows; q0 += queryStep) {
        const qc = Math.min(queryStep, q.rows - q0);
        // topk on the backend: reading back only kTop candidates per row is cheaper than
        // reading the whole score block and scanning it in JS.
        const kTop = Math.min(rc, kk + (excludeSelf ? 1 : 0));
        const qt = tf.tensor2d(qs.data.subarray(q0 * qs.cols, (q0 + qc) * qs.cols), [qc, qs.cols]);
        const scores = tf.matMul(qt, rt);
        const top = tf.topk(scores, kTop, false);
        let values: Float32Array;
        let where: Int32Array;
        try {
          values = top.values.dataSync() as Float32Array;
          where = top.indices.dataSync() as Int32Array;
        } finally {
          qt.dispose();
          scores.dispose();
          top.values.dispose();
          top.indices.dispose();
        }
        for (let i = 0; i < qc; i++) {
          const qi = q0 + i;
          for (let t = 0; t < kTop; t++) {
            const idx = r0 + where[i * kTop + t];
            if (excludeSelf && idx === qi) continue;
            offer(heapScore, heapIndex, qi * kk, kk, values[i * kTop + t], idx);
          }
        }
      }
    } finally {
      rt.dispose();
    }
  }

  const indices: Int32Array[] = [];
  const distances: Float32Array[] = [];
  const d = q.cols;
  for (let i = 0; i < q.rows; i++) {
    const idx = Array.from(heapIndex.subarray(i * kk, (i + 1) * kk));
    const dist = idx.map((j) => {
      let s = 0;
      if (metric === 'cosine') {
        for (let t = 0; t < d; t++) s += exactQ.data[i * d + t] * exactR.data[j * d + t];
        return 1 - s;
      }
      for (let t = 0; t < d; t++) s += (exactQ.data[i * d + t] - exactR.data[j * d + t]) ** 2;
      return Math.sqrt(s);
    });
    const order = idx
      .map((_, t) => t)
      .sort((x, y) => dist[x] - dist[y] || idx[x] - idx[y])
      .slice(0, k);
    indices.push(Int32Array.from(order, (t) => idx[t]));
    distances.push(Float32Array.from(order, (t) => dist[t]));
  }
  return { indices, distances };
}

/**
 * Offers one candidate to the min-heap of a query (its root is the worst kept neighbour).
 * Equal scores keep the earlier candidate.
 */
function offer(hs: Float32Array, hi: Int32Array, h0: number, k: number, s: number, idx: number): void {
  if (!(s > hs[h0])) return;
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= k) break;
    const r = l + 1;
    const child = r < k && hs[h0 + r] < hs[h0 + l] ? r : l;
    if (hs[h0 + child] >= s) break;
    hs[h0 + pos] = hs[h0 + child];
    hi[h0 + pos] = hi[h0 + child];
    pos = child;
  }
  hs[h0 + pos] = s;
  hi[h0 + pos] = idx;
}
