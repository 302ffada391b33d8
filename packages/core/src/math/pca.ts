/**
 * @file Principal component analysis of latents: fit on `n x d` rows, project to the top
 * components, map codes back, and save the fitted model as JSON.
 *
 * The covariance is built in row chunks on tfjs (no `n x d` tensor is ever held), and its
 * top eigenvectors come from block subspace iteration with a float64 Rayleigh-Ritz step, or
 * from a dense Householder/QL solve when many components are asked for.
 */
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import {
  centredCrossProduct,
  checkMatrix,
  checkSquareDim,
  chunkRows,
  columnMeans,
  gemm,
  projectRows,
  topEigen,
} from './linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from './matrix.js';

/** Options of {@link PCA.fit}. */
export interface PcaOptions {
  /**
   * Eigensolver: `'subspace'` (block power iteration + Rayleigh-Ritz), `'full'` (dense
   * Householder + QL, O(d³)), or `'auto'` (subspace unless the components are a large share
   * of the features).
   * @default 'auto'
   */
  solver?: 'auto' | 'subspace' | 'full';
  /** Stop when every eigenpair has `‖C v - λ v‖ <= tolerance · λ₁`. @default 1e-6 */
  tolerance?: number;
  /**
   * Subspace iteration budget; when the observed convergence rate says it will not reach
   * `tolerance` in time (a flat spectrum), the dense solver runs instead.
   * @default 150
   */
  maxIterations?: number;
  /** Seed of the random start of the subspace iteration. @default 0 */
  seed?: number;
}

/** How a {@link PCA} was fitted (not saved). */
export interface PcaFitInfo {
  /** The eigensolver that produced the components. */
  solver: 'subspace' | 'full';
  /** Subspace iterations (0 for the dense solver). */
  iterations: number;
  /** Largest relative eigen-residual `‖C v - λ v‖ / λ₁` of the kept components. */
  residual: number;
}

/** The JSON form of a fitted {@link PCA} (see {@link PCA.toJSON}). */
export interface PcaJson {
  kind: 'latentkit/pca';
  version: 1;
  nFeatures: number;
  nComponents: number;
  nSamples: number;
  totalVariance: number;
  mean: number[];
  /** `nComponents` rows of `nFeatures` values. */
  components: number[][];
  explainedVariance: number[];
}

/**
 * A fitted principal component analysis.
 *
 * @example
 * ```ts
 * const pca = await PCA.fit(stackLatents(latents), 2);
 * const xy = pca.transform(latents);        // n x 2
 * console.log(pca.explainedVarianceRatio);  // e.g. Float32Array [0.41, 0.18]
 * await writeFileAtomic('pca.json', JSON.stringify(pca));
 * const again = PCA.fromJSON(JSON.parse(await readFile('pca.json', 'utf8')));
 * ```
 */
export class PCA {
  /** Feature means of the training rows (length `nFeatures`). */
  readonly mean: Float32Array;
  /** Principal axes as rows (`nComponents x nFeatures`), orthonormal, by decreasing variance. */
  readonly components: Matrix;
  /** Variance along each component (covariance eigenvalues, divisor `n - 1`). */
  readonly explainedVariance: Float32Array;
  /** Share of the total variance along each component. */
  readonly explainedVarianceRatio: Float32Array;
  /** Sum of the feature variances (divisor `n - 1`). */
  readonly totalVariance: number;
  /** Number of training rows. */
  readonly nSamples: number;
  /** Solver details; undefined for a PCA loaded with {@link PCA.fromJSON}. */
  readonly fitInfo?: PcaFitInfo;

  private constructor(
    mean: Float32Array,
    components: Matrix,
    explainedVariance: Float32Array,
    totalVariance: number,
    nSamples: number,
    fitInfo?: PcaFitInfo,
  ) {
    this.mean = mean;
    this.components = components;
    this.explainedVariance = explainedVariance;
    this.totalVariance = totalVariance;
    this.nSamples = nSamples;
    this.explainedVarianceRatio = explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0));
    if (fitInfo) this.fitInfo = fitInfo;
  }

  /** Number of input features `d`. */
  get nFeatures(): number {
    return this.components.cols;
  }

  /** Number of kept components `k`. */
  get nComponents(): number {
    return this.components.rows;
  }

  /**
   * Fits a PCA with `nComponents` components to the rows of `x`.
   * @param x - `n x d` samples (`n >= 2`).
   * @param nComponents - components to keep, `1 <= k <= min(n, d)`; `k = d` is exact (lossless).
   * @param options - solver settings.
   * @returns the fitted PCA.
   * @throws {InvalidArgumentError} on fewer than 2 rows, non-finite values or a bad `nComponents`.
   * @throws {InputTooLargeError} when `d` exceeds 8192 (the `d x d` covariance would not fit).
   * @example
   * ```ts
   * const pca = await PCA.fit(codes, 32);
   * ```
   */
  static async fit(x: MatrixLike, nComponents: number, options: PcaOptions = {}): Promise<PCA> {
    const m = toMatrix(x);
    checkMatrix(m, 'PCA input', 2);
    const d = m.cols;
    if (!Number.isInteger(nComponents) || nComponents < 1 || nComponents > Math.min(m.rows, d)) {
      throw new InvalidArgumentError(
        `nComponents must be an integer in [1, min(n, d)] = [1, ${Math.min(m.rows, d)}], got ${nComponents}.`,
      );
    }
    checkSquareDim(d, 'PCA input');
    await initEngine();
    const mean = columnMeans(m);
    const cov = centredCrossProduct(m, m, mean, mean);
    const scale = 1 / (m.rows - 1);
    let trace = 0;
    for (let i = 0; i < cov.length; i++) cov[i] *= scale;
    for (let i = 0; i < d; i++) trace += cov[i * d + i];
    const eig = topEigen(cov, d, nComponents, {
      method: options.solver ?? 'auto',
      tolerance: options.tolerance ?? 1e-6,
      maxIterations: options.maxIterations ?? 150,
      seed: options.seed ?? 0,
    });
    const comps = new Float32Array(nComponents * d);
    for (let c = 0; c < nComponents; c++) {
      // Eigenvectors have no sign; fix one so refits and other tools agree (largest entry > 0).
      let big = 0;
      for (let j = 0; j < d; j++) if (Math.abs(eig.vectors[c * d + j]) > Math.abs(big)) big = eig.vectors[c * d + j];
      const s = big < 0 ? -1 : 1;
      for (let j = 0; j < d; j++) comps[c * d + j] = s * eig.vectors[c * d + j];
    }
    // Rounding can leave tiny negative eigenvalues for rank-deficient data.
    const variance = Float32Array.from(eig.values, (v) => Math.max(v, 0));
    return new PCA(Float32Array.from(mean), { data: comps, rows: nComponents, cols: d }, variance, trace, m.rows, {
      solver: eig.method,
      iterations: eig.iterations,
      residual: eig.residual,
    });
  }

  /**
   * Projects rows onto the components: `(x - mean) · componentsᵀ`.
   * Uses tfjs when an engine is initialised, plain JS otherwise.
   * @param x - `n x nFeatures` rows.
   * @returns `n x nComponents` codes.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   */
  transform(x: MatrixLike): Matrix {
    const m = toMatrix(x);
    if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: this.nComponents };
    if (m.cols !== this.nFeatures) {
      throw new ShapeMismatchError(`PCA was fitted on ${this.nFeatures} features; the input has ${m.cols}.`);
    }
    return projectRows(m, this.mean, this.components.data, this.nComponents);
  }

  /**
   * Maps codes back to feature space: `codes · components + mean` (exact inverse of
   * {@link PCA.transform} when `nComponents = nFeatures`).
   * @param codes - `n x nComponents` rows.
   * @returns `n x nFeatures` reconstructions.
   * @throws {ShapeMismatchError} when `codes` has another number of columns.
   */
  inverseTransform(codes: MatrixLike): Matrix {
    const m = toMatrix(codes);
    const k = this.nComponents;
    const d = this.nFeatures;
    if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: d };
    if (m.cols !== k) throw new ShapeMismatchError(`PCA has ${k} components; the codes have ${m.cols} columns.`);
    const out = new Float32Array(m.rows * d);
    const step = chunkRows(d, m.rows);
    for (let r0 = 0; r0 < m.rows; r0 += step) {
      const c = Math.min(step, m.rows - r0);
      const part = gemm(m.data.subarray(r0 * k, (r0 + c) * k), c, k, this.components.data, d);
      for (let i = 0; i < c; i++) for (let j = 0; j < d; j++) part[i * d + j] += this.mean[j];
      out.set(part, r0 * d);
    }
    return { data: out, rows: m.rows, cols: d };
  }

  /**
   * A JSON-safe snapshot (float32 values written as numbers, exact on reload).
   * @returns the object {@link PCA.fromJSON} reads.
   */
  toJSON(): PcaJson {
    const d = this.nFeatures;
    return {
      kind: 'latentkit/pca',
      version: 1,
      nFeatures: d,
      nComponents: this.nComponents,
      nSamples: this.nSamples,
      totalVariance: this.totalVariance,
      mean: Array.from(this.mean),
      components: Array.from({ length: this.nComponents }, (_, c) =>
        Array.from(this.components.data.subarray(c * d, (c + 1) * d)),
      ),
      explainedVariance: Array.from(this.explainedVariance),
    };
  }

  /**
   * Rebuilds a PCA saved with {@link PCA.toJSON}.
   * @param json - the parsed JSON.
   * @param file - the file it came from, for error messages.
   * @returns the PCA.
   * @throws {ModelFormatError} when a field is missing, of the wrong type or size.
   */
  static fromJSON(json: unknown, file?: string): PCA {
    const fail = (msg: string): never => {
      throw new ModelFormatError(`PCA JSON${file ? ` in ${file}` : ''}: ${msg}`, file ? { file } : {});
    };
    if (typeof json !== 'object' || json === null) fail(`expected an object, found ${json === null ? 'null' : typeof json}.`);
    const j = json as Partial<Record<keyof PcaJson, unknown>>;
    if (j.kind !== 'latentkit/pca') fail(`field 'kind' should be 'latentkit/pca', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    const int = (name: keyof PcaJson, min: number): number => {
      const v = j[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`field '${name}' should be an integer >= ${min}, found ${JSON.stringify(v)}.`);
      return v as number;
    };
    const d = int('nFeatures', 1);
    const k = int('nComponents', 1);
    const nSamples = int('nSamples', 0);
    if (k > d) fail(`nComponents (${k}) exceeds nFeatures (${d}).`);
    const vec = (v: unknown, len: number, name: string): Float32Array => {
      if (!Array.isArray(v) || v.length !== len) {
        fail(`field '${name}' should be an array of ${len} numbers, found ${Array.isArray(v) ? `${v.length} items` : typeof v}.`);
      }
      const out = new Float32Array(len);
      (v as unknown[]).forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) fail(`field '${name}'[${i}] should be a finite number.`);
        out[i] = x as number;
      });
      return out;
    };
    const mean = vec(j.mean, d, 'mean');
    if (!Array.isArray(j.components) || j.components.length !== k) {
      fail(`field 'components' should hold ${k} rows.`);
    }
    const comps = new Float32Array(k * d);
    (j.components as unknown[]).forEach((r, c) => comps.set(vec(r, d, `components[${c}]`), c * d));
    const variance = vec(j.explainedVariance, k, 'explainedVariance');
    const total = j.totalVariance;
    if (typeof total !== 'number' || !Number.isFinite(total) || total < 0) {
      fail(`field 'totalVariance' should be a finite number >= 0, found ${JSON.stringify(total)}.`);
    }
    return new PCA(mean, { data: comps, rows: k, cols: d }, variance, total as number, nSamples);
  }
}
