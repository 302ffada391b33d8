/**
 * @file PCA of a code set inside the page (a Web Worker runs it): a two-pass float64
 * covariance, the dense eigensolver from core, then projections. Plain loops instead of
 * tfjs: for d = 32 the covariance of 1,000,000 rows is ~0.5 G multiply-adds, about a second
 * of JS, and the page need not load a tensor library to draw a scatter.
 */
import { InvalidArgumentError, symmetricEigen } from '@latentkit/core';

/** A PCA basis of a code set: all `d` components, largest variance first. */
export interface PcaBasis {
  /** Feature count. */
  d: number;
  /** Column means (float64). */
  mean: Float64Array;
  /** `d x d` row-major; row `c` is component `c` (orthonormal). */
  components: Float64Array;
  /** Variance along each component (divisor `n - 1`). */
  variance: Float64Array;
  /** Share of the total variance along each component. */
  varianceRatio: Float64Array;
}

/**
 * Fits a full PCA basis to `n x d` row-major codes.
 * @param data - the codes.
 * @param n - row count (at least 2).
 * @param d - feature count.
 * @returns mean, components and their variances.
 * @throws {InvalidArgumentError} on fewer than 2 rows, a size mismatch or a non-finite value.
 */
export function fitPcaBasis(data: Float32Array, n: number, d: number): PcaBasis {
  if (n < 2 || d < 1 || data.length !== n * d) {
    throw new InvalidArgumentError(`PCA needs at least 2 rows of d >= 1 values; got n = ${n}, d = ${d}, ${data.length} values.`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) {
    mean[j] /= n;
    if (!Number.isFinite(mean[j])) throw new InvalidArgumentError(`Column ${j} of the codes holds a NaN or infinite value.`);
  }
  // Lower triangle only; the row is centred once into t.
  const cov = new Float64Array(d * d);
  const t = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) t[j] = data[o + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ta = t[a];
      const ra = a * d;
      for (let b = 0; b <= a; b++) cov[ra + b] += ta * t[b];
    }
  }
  let total = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) cov[a * d + b] /= n - 1;
    total += cov[a * d + a];
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const variance = values.map((v) => Math.max(v, 0));
  const varianceRatio = variance.map((v) => (total > 0 ? v / total : 0));
  return { d, mean, components: vectors, variance, varianceRatio };
}

/**
 * Projects rows onto the first `q` components: `out[i*q + c] = (x_i - mean) . v_c`.
 * @param data - `n x d` codes.
 * @param basis - a fitted basis of the same `d`.
 * @param q - components to keep (1..d).
 * @param out - where to write `n x q` values (allocated when omitted).
 * @returns the projection.
 * @throws {InvalidArgumentError} when `q` is out of range or the sizes disagree.
 */
export function projectOnto(data: Float32Array, basis: PcaBasis, q: number, out?: Float32Array): Float32Array {
  const d = basis.d;
  const n = data.length / d;
  if (!Number.isInteger(n) || !Number.isInteger(q) || q < 1 || q > d) {
    throw new InvalidArgumentError(`projectOnto: ${data.length} values are not rows of ${d}, or q = ${q} is outside 1..${d}.`);
  }
  const res = out ?? new Float32Array(n * q);
  if (res.length !== n * q) throw new InvalidArgumentError(`projectOnto: output holds ${res.length} values, needs ${n * q}.`);
  const { mean, components } = basis;
  const t = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) t[j] = data[o + j] - mean[j];
    for (let c = 0; c < q; c++) {
      const rc = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += t[j] * components[rc + j];
      res[i * q + c] = s;
    }
  }
  return res;
}
