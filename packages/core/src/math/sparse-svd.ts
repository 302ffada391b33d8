/**
 * @file Sparse matrices (CSR) and their truncated SVD by randomized subspace iteration
 * (Halko, Martinsson and Tropp 2011, algorithms 4.4 and 5.1).
 *
 * The use this was written for is latent semantic analysis: a term-document matrix of ~10⁵
 * documents by ~5·10⁴ words with ~10⁶ non-zeros, whose top few hundred singular vectors are
 * word vectors. Dense SVD is out of the question there, and so is float64 Gram-Schmidt in JS
 * (O(n·l²) per step, minutes at l = 512). The sparse products run in JS (O(nnz·l)); the dense
 * ones (Gram matrices, basis changes) go through tfjs in row chunks; orthonormalisation is
 * by the eigen-decomposition of the small `l x l` Gram matrix, repeated once more at the end
 * to restore orthogonality lost to float32 ("CholeskyQR2", with eigenvectors instead of
 * Cholesky so a rank-deficient block loses columns instead of failing).
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { centredCrossProduct, projectRows, symmetricEigen } from './linalg.js';
import type { Matrix } from './matrix.js';
import { createNormalRng } from './random.js';

/** A sparse matrix in compressed sparse row form. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** `rows + 1` offsets into `colIndex` / `values`; row `i` is `rowStart[i] .. rowStart[i+1]`. */
  rowStart: Int32Array;
  colIndex: Int32Array;
  values: Float32Array;
}

/**
 * Builds a {@link CsrMatrix} from one `Map<column, value>` per row (zeros may be omitted).
 * @throws {InvalidArgumentError} for a column outside `[0, cols)` or a non-finite value.
 * @example
 * ```ts
 * const a = csrFromRows([new Map([[0, 1]]), new Map([[1, 2], [2, 3]])], 3); // 2 x 3
 * ```
 */
export function csrFromRows(rows: readonly ReadonlyMap<number, number>[], cols: number): CsrMatrix {
  let nnz = 0;
  for (const r of rows) nnz += r.size;
  const rowStart = new Int32Array(rows.length + 1);
  const colIndex = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let t = 0;
  rows.forEach((r, i) => {
    const sorted = [...r.entries()].sort((a, b) => a[0] - b[0]);
    for (const [j, v] of sorted) {
      if (!Number.isInteger(j) || j < 0 || j >= cols) throw new InvalidArgumentError(`Row ${i} has column ${j}, outside [0, ${cols}).`);
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`Row ${i}, column ${j} holds a non-finite value (${v}).`);
      colIndex[t] = j;
      values[t++] = v;
    }
    rowStart[i + 1] = t;
  });
  return { rows: rows.length, cols, rowStart, colIndex, values };
}

/** `A @ X` for sparse `A` (`m x n`) and dense row-major `X` (`n x l`): `m x l`. */
export function csrMultiply(a: CsrMatrix, x: Float32Array, l: number): Float32Array {
  if (x.length !== a.cols * l) throw new ShapeMismatchError(`Expected a ${a.cols} x ${l} operand (${a.cols * l} values), found ${x.length}.`);
  const out = new Float32Array(a.rows * l);
  const acc = new Float64Array(l);
  for (let i = 0; i < a.rows; i++) {
    acc.fill(0);
    for (let t = a.rowStart[i]; t < a.rowStart[i + 1]; t++) {
      const v = a.values[t];
      const o = a.colIndex[t] * l;
      for (let c = 0; c < l; c++) acc[c] += v * x[o + c];
    }
    out.set(acc, i * l);
  }
  return out;
}

/** `Aᵀ @ Y` for sparse `A` (`m x n`) and dense row-major `Y` (`m x l`): `n x l`. */
export function csrTransposeMultiply(a: CsrMatrix, y: Float32Array, l: number): Float32Array {
  if (y.length !== a.rows * l) throw new ShapeMismatchError(`Expected a ${a.rows} x ${l} operand (${a.rows * l} values), found ${y.length}.`);
  // Scattered accumulation in float64: a frequent word's row sums tens of thousands of terms.
  const acc = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let t = a.rowStart[i]; t < a.rowStart[i + 1]; t++) {
      const v = a.values[t];
      const o = a.colIndex[t] * l;
      for (let c = 0; c < l; c++) acc[o + c] += v * y[yo + c];
    }
  }
  return Float32Array.from(acc);
}

/**
 * Replaces the columns of `y` (`n x l`, row-major) by an orthonormal basis of their span:
 * `Y W Λ^-1/2` from the eigen-decomposition `YᵀY = W Λ Wᵀ`. Directions with an eigenvalue
 * below `1e-10 λ_max` (float32 noise) are dropped, so fewer than `l` columns may come back.
 */
function orthonormalizeColumns(y: Float32Array, n: number, l: number): { q: Float32Array; cols: number } {
  const m: Matrix = { data: y, rows: n, cols: l };
  const { values, vectors } = symmetricEigen(centredCrossProduct(m, m), l);
  const floor = Math.max(values[0], 0) * 1e-10;
  let kept = 0;
  while (kept < l && values[kept] > floor) kept++;
  const basis = new Float32Array(kept * l);
  for (let c = 0; c < kept; c++) {
    const s = 1 / Math.sqrt(values[c]);
    for (let j = 0; j < l; j++) basis[c * l + j] = vectors[c * l + j] * s;
  }
  return { q: projectRows(m, new Float64Array(l), basis, kept).data as Float32Array, cols: kept };
}

/** Options of {@link truncatedSvd}. */
export interface TruncatedSvdOptions {
  /** Extra random directions beyond `k` (accuracy of the last singular vectors). @default 16 */
  oversample?: number;
  /** Subspace (power) iterations; each sharpens the gap between kept and dropped directions. @default 3 */
  powerIterations?: number;
  /** Seed of the random start. @default 1 */
  seed?: number;
  /** Whether to return left singular vectors too (`m x k`, often the large side). @default false */
  left?: boolean;
  /** Called after each stage (`'range'`, `'power 1'`, ..., `'project'`) with seconds elapsed. */
  onProgress?: (stage: string, seconds: number) => void;
}

/** What {@link truncatedSvd} returns: `A ≈ U diag(S) Vᵀ`. */
export interface TruncatedSvd {
  /** Singular values, largest first (`k`). */
  values: Float64Array;
  /** Right singular vectors, row-major `n x k` (row `j` is column `j` of `A` in the reduced space). */
  right: Float32Array;
  /** Left singular vectors, row-major `m x k`, when asked for. */
  left?: Float32Array;
  /** How many were found: `k`, or fewer when `A` has lower rank. */
  k: number;
}

/**
 * Top-`k` singular triplets of a sparse matrix by randomized subspace iteration.
 * Products run on tfjs when an engine is ready (call `initEngine()` first), in JS otherwise.
 * @param a - the `m x n` matrix.
 * @param k - how many singular values; at most `min(m, n)`.
 * @throws {InvalidArgumentError} for `k` outside `[1, min(m, n)]`.
 * @example
 * ```ts
 * const { values, right } = truncatedSvd(termsByDocs, 256); // right: n x 256
 * ```
 */
export function truncatedSvd(a: CsrMatrix, k: number, options: TruncatedSvdOptions = {}): TruncatedSvd {
  const { rows: m, cols: n } = a;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m, n)) {
    throw new InvalidArgumentError(`k must be an integer in [1, ${Math.min(m, n)}] for a ${m} x ${n} matrix, got ${k}.`);
  }
  const l = Math.min(k + (options.oversample ?? 16), m, n);
  const iterations = options.powerIterations ?? 3;
  const t0 = performance.now();
  const progress = (stage: string) => options.onProgress?.(stage, (performance.now() - t0) / 1000);
  // The range of Aᵀ (the row space of A) from Aᵀ Ω, Ω an m x l Gaussian matrix.
  const rng = createNormalRng(options.seed ?? 1);
  const omega = new Float32Array(m * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng();
  let { q, cols } = orthonormalizeColumns(csrTransposeMultiply(a, omega, l), n, l);
  progress('range');
  for (let it = 1; it <= iterations; it++) {
    // Orthonormalising between the two products keeps float32 from losing the small directions.
    const z = orthonormalizeColumns(csrMultiply(a, q, cols), m, cols);
    ({ q, cols } = orthonormalizeColumns(csrTransposeMultiply(a, z.q, z.cols), n, z.cols));
    progress(`power ${it}`);
  }
  ({ q, cols } = orthonormalizeColumns(q, n, cols)); // second pass: orthogonality to float32 precision
  // Rayleigh-Ritz: C = A Q (m x cols); CᵀC = Qᵀ AᵀA Q = W Λ Wᵀ gives V = Q W and σ = √λ.
  const c: Matrix = { data: csrMultiply(a, q, cols), rows: m, cols };
  const { values: lambda, vectors: w } = symmetricEigen(centredCrossProduct(c, c), cols);
  const found = Math.min(k, cols);
  const basis = new Float32Array(found * cols);
  basis.set(new Float32Array(w.subarray(0, found * cols)));
  const right = projectRows({ data: q, rows: n, cols }, new Float64Array(cols), basis, found).data as Float32Array;
  const values = Float64Array.from(lambda.subarray(0, found), (x) => Math.sqrt(Math.max(x, 0)));
  const out: TruncatedSvd = { values, right, k: found };
  if (options.left) {
    const scaled = new Float32Array(found * cols);
    for (let r = 0; r < found; r++) for (let j = 0; j < cols; j++) scaled[r * cols + j] = basis[r * cols + j] / (values[r] || 1);
    out.left = projectRows(c, new Float64Array(cols), scaled, found).data as Float32Array;
  }
  progress('project');
  return out;
}
