/**
 * @file Dense linear algebra shared by latent math: column statistics, chunked `AᵀB` products
 * on tfjs and an SPD solver. The eigensolvers are in eigen.ts and top-eigen.ts
 * (re-exported here).
 *
 * Heavy products go through tfjs (XNNPACK on wasm runs a plain product ~10x faster than a
 * JS loop), but always as `A @ B` with no transpose flags: the stock wasm kernel is ~10x
 * slower with `transposeA/B`, so operands are laid out transposed in JS while they are being
 * centred anyway. Small or precision-critical steps (orthonormalisation, eigensolvers,
 * accumulation of chunk sums) run in float64 JS.
 */
import * as tf from '@tensorflow/tfjs';
import { engineInfo } from '../engine/engine.js';
import { InputTooLargeError, InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import type { Matrix } from './matrix.js';

export { symmetricEigen } from './eigen.js';
export type { SymmetricEigen } from './eigen.js';
export { orthonormalizeRows, residualOf, topEigen } from './top-eigen.js';
export type { TopEigenOptions, TopEigenResult } from './top-eigen.js';

/** Largest feature count for which `d x d` float64 matrices (covariance, Gram) are built. */
export const MAX_SQUARE_DIM = 8192;

/** Elements per tfjs chunk (operands and products stay well inside the wasm heap). */
const CHUNK_ELEMENTS = 1 << 22;

/** Whether tfjs has a ready backend (after `initEngine()`); sync code falls back to JS without one. */
export function tfReady(): boolean {
  return engineInfo() !== undefined;
}

/**
 * Throws unless `m` is finite, non-empty and of at least `minRows` rows.
 * @throws {InvalidArgumentError} on too few rows, no columns, or a NaN/Infinity value.
 */
export function checkMatrix(m: Matrix, what: string, minRows = 1): void {
  if (m.rows < minRows) {
    throw new InvalidArgumentError(`${what} has ${m.rows} rows; at least ${minRows} are needed.`);
  }
  if (m.cols < 1) throw new InvalidArgumentError(`${what} has no columns.`);
  if (m.data.length !== m.rows * m.cols) {
    throw new ShapeMismatchError(`${what} has ${m.data.length} values, expected rows*cols = ${m.rows * m.cols}.`);
  }
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new InvalidArgumentError(
        `${what} holds a non-finite value (${d[i]}) at row ${Math.floor(i / m.cols)}, column ${i % m.cols}.`,
      );
    }
  }
}

/** Throws unless `d x d` float64 work matrices stay under {@link MAX_SQUARE_DIM}. */
export function checkSquareDim(d: number, what: string): void {
  if (d > MAX_SQUARE_DIM) {
    throw new InputTooLargeError(
      `${what} has ${d} features; at most ${MAX_SQUARE_DIM} are supported (a ${d}x${d} matrix is needed).`,
      { hint: 'Reduce the dimension first (e.g. a random projection or pooling).' },
    );
  }
}

/** Column means in float64. */
export function columnMeans(m: Matrix): Float64Array {
  const { data, rows, cols } = m;
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) acc[j] += data[o + j];
  }
  if (rows > 0) for (let j = 0; j < cols; j++) acc[j] /= rows;
  return acc;
}

/** Column standard deviations (population, divisor n) around `mean`, in float64. */
export function columnStds(m: Matrix, mean: Float64Array): Float64Array {
  const { data, rows, cols } = m;
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j] - mean[j];
      acc[j] += v * v;
    }
  }
  for (let j = 0; j < cols; j++) acc[j] = Math.sqrt(acc[j] / Math.max(rows, 1));
  return acc;
}

/** Rows per chunk so that a chunk of `width` columns holds about {@link CHUNK_ELEMENTS} values. */
export function chunkRows(width: number, total: number): number {
  return Math.max(1, Math.min(total, Math.floor(CHUNK_ELEMENTS / Math.max(width, 1))));
}

/**
 * `(A - 1 meanA)ᵀ (B - 1 meanB)` in float64, `a.cols x b.cols` row-major, computed in row
 * chunks on tfjs (float32 products, float64 accumulation). Pass `b === a` for a Gram /
 * scatter matrix. Without a ready tfjs backend it runs in JS.
 * @throws {ShapeMismatchError} when the row counts differ.
 */
export function centredCrossProduct(
  a: Matrix,
  b: Matrix,
  meanA?: ArrayLike<number>,
  meanB?: ArrayLike<number>,
): Float64Array {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError(`Paired matrices need the same number of rows; found ${a.rows} and ${b.rows}.`);
  }
  const same = a === b && meanA === meanB;
  const n = a.rows;
  const ca = a.cols;
  const cb = b.cols;
  const out = new Float64Array(ca * cb);
  const step = chunkRows(Math.max(ca, cb), n);
  const useTf = tfReady();
  const at = new Float32Array(ca * step);
  // A scatter matrix is symmetric: with column blocks, only blocks on and above the diagonal
  // are multiplied (60% of the work at d = 784; narrower products run no slower on wasm).
  const aBlocks = same ? splitRange(ca, SYMMETRIC_BLOCK) : [[0, ca] as const];
  const bBlocks = same ? aBlocks : [[0, cb] as const];
  const bParts = bBlocks.map(([j0, j1]) => new Float32Array(step * (j1 - j0)));
  for (let r0 = 0; r0 < n; r0 += step) {
    const c = Math.min(step, n - r0);
    // Centre in JS while laying out Aᵀ, so tfjs sees a plain product (no transpose flags) and
    // float32 products of centred values keep their precision.
    for (let i = 0; i < c; i++) {
      const o = (r0 + i) * ca;
      for (let j = 0; j < ca; j++) at[j * c + i] = a.data[o + j] - (meanA ? meanA[j] : 0);
    }
    const src = same ? a : b;
    const mean = same ? meanA : meanB;
    bBlocks.forEach(([j0, j1], bj) => {
      const w = j1 - j0;
      const part = bParts[bj];
      for (let i = 0; i < c; i++) {
        const o = (r0 + i) * src.cols;
        for (let j = j0; j < j1; j++) part[i * w + j - j0] = src.data[o + j] - (mean ? mean[j] : 0);
      }
    });
    aBlocks.forEach(([i0, i1], bi) => {
      const wi = i1 - i0;
      const aBlock = at.subarray(i0 * c, i1 * c);
      for (let bj = same ? bi : 0; bj < bBlocks.length; bj++) {
        const [j0, j1] = bBlocks[bj];
        const wj = j1 - j0;
        const prod = gemm(aBlock, wi, c, bParts[bj].subarray(0, c * wj), wj, useTf);
        for (let r = 0; r < wi; r++) {
          const o = (i0 + r) * cb + j0;
          for (let t = 0; t < wj; t++) out[o + t] += prod[r * wj + t];
        }
      }
    });
  }
  if (same) for (let i = 0; i < ca; i++) for (let j = 0; j < i; j++) out[i * ca + j] = out[j * ca + i];
  return out;
}

const SYMMETRIC_BLOCK = 192;

/** Splits `0..n` into about equal ranges no wider than `width`. */
function splitRange(n: number, width: number): (readonly [number, number])[] {
  const parts = Math.max(1, Math.ceil(n / width));
  return Array.from({ length: parts }, (_, i) => [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)] as const);
}

/**
 * `A (m x k) @ B (k x p)` as float32, on tfjs when `useTf` (the default when an engine is
 * ready), otherwise in JS.
 */
export function gemm(
  a: Float32Array,
  m: number,
  k: number,
  b: Float32Array,
  p: number,
  useTf = tfReady(),
): Float32Array {
  if (useTf) return matMulSync(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, p]), true);
  const out = new Float32Array(m * p);
  const acc = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const ao = i * k;
    for (let t = 0; t < k; t++) {
      const v = a[ao + t];
      if (v === 0) continue;
      const bo = t * p;
      for (let j = 0; j < p; j++) acc[j] += v * b[bo + j];
    }
    out.set(acc, i * p);
  }
  return out;
}

/**
 * `a @ b` read back as a Float32Array; disposes the product, and `a` (and `b` when `both`).
 *
 * Deliberately not `tf.tidy(() => ....dataSync())`: tidy walks its return value looking for
 * tensors, element by element for a typed array, which turns a 30 ms product into 10+ s.
 */
export function matMulSync(a: tf.Tensor2D, b: tf.Tensor2D, both: boolean): Float32Array {
  try {
    const c = tf.matMul(a, b);
    try {
      return c.dataSync() as Float32Array;
    } finally {
      c.dispose();
    }
  } finally {
    a.dispose();
    if (both) b.dispose();
  }
}

/**
 * Projects the centred rows of `x` onto `basis` (`q x d` row vectors): returns
 * `(x - mean) @ basisᵀ` as an `n x q` matrix, in row chunks.
 */
export function projectRows(x: Matrix, mean: ArrayLike<number>, basis: Float32Array, q: number): Matrix {
  const d = x.cols;
  const bt = new Float32Array(d * q);
  for (let c = 0; c < q; c++) for (let j = 0; j < d; j++) bt[j * q + c] = basis[c * d + j];
  const out = new Float32Array(x.rows * q);
  const step = chunkRows(d, x.rows);
  const chunk = new Float32Array(step * d);
  const useTf = tfReady();
  for (let r0 = 0; r0 < x.rows; r0 += step) {
    const c = Math.min(step, x.rows - r0);
    for (let i = 0; i < c; i++) {
      const o = (r0 + i) * d;
      for (let j = 0; j < d; j++) chunk[i * d + j] = x.data[o + j] - mean[j];
    }
    out.set(gemm(chunk.subarray(0, c * d), c, d, bt, q, useTf), r0 * q);
  }
  return { data: out, rows: x.rows, cols: q };
}

/**
 * Solves `A X = B` for symmetric positive definite `A (n x n)` by Cholesky, in float64.
 * @param b - `n x m` row-major right-hand sides.
 * @returns `X`, `n x m` row-major.
 * @throws {InvalidArgumentError} when `A` is not positive definite.
 */
export function solveSpd(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      const li = i * n;
      const lj = j * n;
      for (let t = 0; t < j; t++) s -= l[li + t] * l[lj + t];
      if (i === j) {
        if (!(s > 0)) {
          throw new InvalidArgumentError(
            `Matrix is not positive definite (pivot ${i} = ${s}); increase the regularisation.`,
          );
        }
        l[li + i] = Math.sqrt(s);
      } else {
        l[li + j] = s / l[lj + j];
      }
    }
  }
  const x = Float64Array.from(b);
  // Forward: L Y = B.
  for (let i = 0; i < n; i++) {
    const xi = i * m;
    for (let t = 0; t < i; t++) {
      const lit = l[i * n + t];
      if (lit === 0) continue;
      const xt = t * m;
      for (let j = 0; j < m; j++) x[xi + j] -= lit * x[xt + j];
    }
    const lii = l[i * n + i];
    for (let j = 0; j < m; j++) x[xi + j] /= lii;
  }
  // Backward: Lᵀ X = Y.
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * m;
    for (let t = i + 1; t < n; t++) {
      const lti = l[t * n + i];
      if (lti === 0) continue;
      const xt = t * m;
      for (let j = 0; j < m; j++) x[xi + j] -= lti * x[xt + j];
    }
    const lii = l[i * n + i];
    for (let j = 0; j < m; j++) x[xi + j] /= lii;
  }
  return x;
}
