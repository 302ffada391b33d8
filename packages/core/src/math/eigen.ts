/**
 * @file Eigensolvers for latent math: a full symmetric eigendecomposition (Householder
 * tridiagonalisation + QL, from EISPACK's tred2/tql2) and a top-k subspace iteration for large
 * covariance matrices, with the row orthonormalisation both use. Float64 JS, with the large
 * products on tfjs (see linalg.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { matMulSync, tfReady } from './linalg.js';
import { createNormalRng } from './random.js';

/** Eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as rows (`n x n` row-major): row `i` belongs to `values[i]`. */
  vectors: Float64Array;
}

/**
 * All eigenpairs of a symmetric `n x n` matrix (Householder tridiagonalisation + implicit QL,
 * after JAMA's `tred2`/`tql2`), in float64. Only the lower triangle is read.
 * Accurate to machine precision; O(n³), about a second at n = 784.
 * @param a - row-major `n x n`, not modified.
 * @param n - the order.
 * @returns eigenvalues largest first and orthonormal eigenvectors as rows.
 * @throws {InvalidArgumentError} when QL does not converge (non-finite input).
 * @example
 * ```ts
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2); // [3, 1]
 * ```
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new ShapeMismatchError(`Expected ${n * n} values for a ${n}x${n} matrix, found ${a.length}.`);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) V[i * n + j] = V[j * n + i] = a[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: V };
  tred2(V, d, e, n);
  // tql2 rotates pairs of eigenvector columns; on the transpose they are contiguous rows.
  const Vt = transposeSquare(V, n);
  tql2(Vt, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    vectors.set(Vt.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values, vectors };
}

function transposeSquare(m: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j];
  return t;
}

/** Householder reduction to tridiagonal form (JAMA tred2), V row-major. */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = V[k * n + j];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (JAMA tql2), eigenvectors as rows of Vt. */
function tql2(Vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 100) {
          throw new InvalidArgumentError('Symmetric eigensolver did not converge; the matrix holds non-finite values?');
        }
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n;
          const ri1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = Vt[ri1 + k];
            const vk = Vt[ri + k];
            Vt[ri1 + k] = s * vk + c * hk;
            Vt[ri + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * Orthonormalises the `p` rows (length `d`) of `q` in place by modified Gram-Schmidt, run
 * twice ("twice is enough") for orthogonality at float64 precision. A row that collapses is
 * replaced by a fresh random direction orthogonal to the others.
 */
export function orthonormalizeRows(q: Float64Array, p: number, d: number, seed = 1): void {
  let rng: (() => number) | undefined;
  for (let i = 0; i < p; i++) {
    const ri = i * d;
    for (let attempt = 0; ; attempt++) {
      const before = rowNorm(q, ri, d);
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const rj = j * d;
          let dot = 0;
          for (let t = 0; t < d; t++) dot += q[ri + t] * q[rj + t];
          for (let t = 0; t < d; t++) q[ri + t] -= dot * q[rj + t];
        }
      }
      const norm = rowNorm(q, ri, d);
      if (norm > 1e-10 * Math.max(before, 1e-300) && norm > 0) {
        for (let t = 0; t < d; t++) q[ri + t] /= norm;
        break;
      }
      if (attempt > 3) throw new InvalidArgumentError(`Cannot find ${p} orthonormal directions in ${d} dimensions.`);
      rng ??= createNormalRng(seed + 7919 * (i + 1));
      for (let t = 0; t < d; t++) q[ri + t] = rng();
    }
  }
}

function rowNorm(q: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += q[o + t] * q[o + t];
  return Math.sqrt(s);
}

/** Options of {@link topEigen}. */
export interface TopEigenOptions {
  /** Relative residual `max ‖C u - θ u‖ / θ₁` at which to stop. @default 1e-6 */
  tolerance?: number;
  /** Iteration budget; when the observed convergence rate will not meet the tolerance within it, the dense solver is used instead. @default 150 */
  maxIterations?: number;
  /** Seed of the random start. @default 0 */
  seed?: number;
  /** Extra subspace directions beyond `k` (faster convergence). @default max(16, k) */
  oversample?: number;
  /**
   * `'subspace'` forces the iteration, `'full'` the dense solver, `'auto'` picks the dense
   * solver when `d <= 64` or the subspace would span a quarter of `d` (its O(p²d) steps then
   * cost about as much as the dense O(d³) solve).
   * @default 'auto'
   */
  method?: 'auto' | 'subspace' | 'full';
  /** Residual below which iterations switch from float32 (tfjs) to float64 (JS) products. @internal */
  float32Floor?: number;
  /** Called after each subspace iteration (diagnostics). @internal */
  onIteration?: (iteration: number, residual: number, float64: boolean) => void;
}

/** What {@link topEigen} returns. */
export interface TopEigenResult extends SymmetricEigen {
  /** Subspace iterations run (0 when the full solver was used). */
  iterations: number;
  /** Largest relative residual of the returned pairs (float64 check). */
  residual: number;
  /** Which path produced the result. */
  method: 'subspace' | 'full';
}

/**
 * Top-`k` eigenpairs of a symmetric positive semi-definite `d x d` matrix by block subspace
 * iteration with Rayleigh-Ritz (tfjs products, float64 Gram-Schmidt and a float64 dense
 * solve of the small projected problem). Falls back to {@link symmetricEigen} when `k` is a
 * large share of `d` or the iteration has not met the tolerance in `maxIterations`.
 * @param c - row-major `d x d`, symmetric.
 * @returns `k` eigenvalues largest first and their eigenvectors as rows (`k x d`).
 */
export function topEigen(c: Float64Array, d: number, k: number, options: TopEigenOptions = {}): TopEigenResult {
  const tol = options.tolerance ?? 1e-6;
  const maxIter = options.maxIterations ?? 150;
  const p = Math.min(d, k + (options.oversample ?? Math.max(16, k)));
  const full = (): TopEigenResult => {
    const { values, vectors } = symmetricEigen(c, d);
    const res: TopEigenResult = {
      values: values.slice(0, k),
      vectors: vectors.slice(0, k * d),
      iterations: 0,
      residual: 0,
      method: 'full',
    };
    res.residual = residualOf(c, d, res.values, res.vectors);
    return res;
  };
  // The small dense solve costs O(p²d) per iteration anyway; past this the full solver wins.
  const method = options.method ?? 'auto';
  if (method === 'full' || (method === 'auto' && (d <= 64 || 4 * p >= d))) return full();

  const seed = options.seed ?? 0;
  const rng = createNormalRng(seed);
  let q: Float64Array = new Float64Array(p * d);
  for (let i = 0; i < q.length; i++) q[i] = rng();
  orthonormalizeRows(q, p, d, seed);
  const useTf = tfReady();
  const cT = useTf ? tf.tensor2d(Float32Array.from(c), [d, d]) : undefined;
  // float32 products (tfjs) are ~10x faster than float64 JS ones but leave a residual floor
  // (near 1e-7 at d = 784); the last iterations run in float64 to confirm or tighten it.
  const f32Floor = options.float32Floor ?? 1e-6;
  let precise = !cT;
  const history: number[] = [];
  try {
    for (let it = 1; it <= maxIter; it++) {
      // Z = Q C: row i is C q_i (C is symmetric), so no transposes are needed.
      const z = precise
        ? mulRowsSymmetric(q, p, c, d)
        : Float64Array.from(matMulSync(tf.tensor2d(Float32Array.from(q), [p, d]), cT!, false));
      const h = new Float64Array(p * p);
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          const qi = i * d;
          const qj = j * d;
          const zi = i * d;
          const zj = j * d;
          for (let t = 0; t < d; t++) s += q[qi + t] * z[zj + t] + q[qj + t] * z[zi + t];
          h[i * p + j] = h[j * p + i] = s / 2;
        }
      }
      const small = symmetricEigen(h, p);
      // Ritz vectors U = Wᵀ Q (orthonormal) and their images C U = Wᵀ Z.
      const u = combineRows(small.vectors, p, q, d);
      const cu = combineRows(small.vectors, p, z, d);
      const values = small.values.slice(0, k);
      const worst = ritzResidual(cu, u, values, d);
      options.onIteration?.(it, worst, precise);
      if (precise && worst <= tol) {
        return { values, vectors: u.slice(0, k * d), iterations: it, residual: worst, method: 'subspace' };
      }
      history.push(worst);
      // Leave float32 once it has done what it can: at the tolerance, at its floor, or when
      // the residual stops shrinking (rounding noise).
      if (!precise && (worst <= Math.max(tol, f32Floor) || (it > 8 && worst >= Math.min(...history.slice(-9, -1))))) {
        precise = true;
      }
      // The residual shrinks about geometrically (rate λ_{p+1}/λ_k). When the observed rate
      // says the budget will not suffice (a flat spectrum), stop now: the dense solver costs
      // about as much as maxIterations subspace steps.
      if (it >= 10) {
        const rate = (history[it - 1] / history[it - 6]) ** (1 / 5);
        const needed = rate < 1 ? Math.log(tol / worst) / Math.log(rate) : Infinity;
        if (it + needed > maxIter) break;
      }
      q = cu;
      orthonormalizeRows(q, p, d, seed + it);
    }
  } finally {
    cT?.dispose();
  }
  return full();
}

/** Largest `‖(C U)_i - θ_i U_i‖ / |θ_1|` over the `values.length` leading rows. */
function ritzResidual(cu: Float64Array, u: Float64Array, values: Float64Array, d: number): number {
  const scale = Math.max(Math.abs(values[0] ?? 0), 1e-300);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const r = cu[i * d + t] - values[i] * u[i * d + t];
      s += r * r;
    }
    worst = Math.max(worst, Math.sqrt(s) / scale);
  }
  return worst;
}

/** `q (p x d) @ c (d x d)` in float64 JS (c symmetric, so row i is C q_i). */
function mulRowsSymmetric(q: Float64Array, p: number, c: Float64Array, d: number): Float64Array {
  const out = new Float64Array(p * d);
  for (let i = 0; i < p; i++) {
    const qi = i * d;
    const oi = i * d;
    for (let t = 0; t < d; t++) {
      const v = q[qi + t];
      if (v === 0) continue;
      const ct = t * d;
      for (let j = 0; j < d; j++) out[oi + j] += v * c[ct + j];
    }
  }
  return out;
}

/** Rows `r` of `w (r x p)` combine rows of `m (p x d)`: returns `w @ m` in float64. */
function combineRows(w: ArrayLike<number>, r: number, m: ArrayLike<number>, d: number, p = r): Float64Array {
  const out = new Float64Array(r * d);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < p; j++) {
      const wij = w[i * p + j];
      if (wij === 0) continue;
      const mj = j * d;
      const oi = i * d;
      for (let t = 0; t < d; t++) out[oi + t] += wij * m[mj + t];
    }
  }
  return out;
}

/** Largest `‖C v_i - λ_i v_i‖ / |λ_1|` over the given pairs, in float64. */
export function residualOf(c: Float64Array, d: number, values: Float64Array, vectors: Float64Array): number {
  return ritzResidual(mulRowsSymmetric(vectors, values.length, c, d), vectors, values, d);
}
