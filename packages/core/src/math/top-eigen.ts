/**
 * @file The top-k subspace eigensolver for large covariance matrices, with the row
 * orthonormalisation it uses. Kept apart from eigen.ts because it multiplies on tfjs (see
 * linalg.ts), while eigen.ts's dense solver must load in a page or a Web Worker without tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { symmetricEigen, type SymmetricEigen } from './eigen.js';
import { matMulSync, tfReady } from './linalg.js';
import { createNormalRng } from './random.js';

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
