/**
 * @file Linear probes: how much label information a latent space exposes linearly.
 * Multinomial logistic regression with an L2 penalty on standardised features, fitted
 * full-batch by L-BFGS (deterministic: no sampling, fixed zero start), with the loss and
 * gradient evaluated on tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import { checkMatrix, chunkRows, columnMeans, columnStds, gemm } from './linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from './matrix.js';

/** Options of {@link fitLinearProbe} and {@link linearProbe}. */
export interface LinearProbeOptions {
  /**
   * L2 penalty: the objective is mean cross-entropy + `l2/2 · ‖W‖²` (bias not penalised),
   * on standardised features. `1 / n` matches scikit-learn's `C = 1`.
   * @default 1e-4
   */
  l2?: number;
  /** L-BFGS iterations at most. @default 300 */
  maxIterations?: number;
  /** Stop when the largest gradient entry is below this. @default 1e-5 */
  tolerance?: number;
  /** Number of classes; labels must lie in `[0, numClasses)`. @default max(label) + 1 */
  numClasses?: number;
  /** L-BFGS memory (pairs kept). @default 10 */
  memory?: number;
}

/** The JSON form of a {@link LinearProbe}. */
export interface LinearProbeJson {
  kind: 'latentkit/linear-probe';
  version: 1;
  nFeatures: number;
  numClasses: number;
  /** Feature means and standard deviations used to standardise inputs. */
  mean: number[];
  std: number[];
  /** `nFeatures` rows of `numClasses` weights (on standardised features). */
  weights: number[][];
  bias: number[];
}

/** How the fit went. */
export interface LinearProbeFitInfo {
  /** L-BFGS iterations run. */
  iterations: number;
  /** Loss/gradient evaluations (one per iteration, more when the line search backtracks). */
  evaluations: number;
  /** Final objective value (mean cross-entropy + penalty). */
  loss: number;
  /** Largest gradient entry at the end. */
  gradientNorm: number;
  /** Whether `tolerance` was met (otherwise the iteration budget or line search ended it). */
  converged: boolean;
}

/** Labels as integers, checked against `n` rows and the class count. */
function checkLabels(labels: ArrayLike<number>, n: number, numClasses?: number): { y: Int32Array; classes: number } {
  if (labels.length !== n) {
    throw new ShapeMismatchError(`Expected ${n} labels (one per row), found ${labels.length}.`);
  }
  const y = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`Label ${i} is ${v}; labels must be integers >= 0.`);
    y[i] = v;
    if (v > max) max = v;
  }
  const classes = numClasses ?? max + 1;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new InvalidArgumentError(`A probe needs at least 2 classes; found ${classes}.`);
  }
  if (max >= classes) throw new InvalidArgumentError(`Label ${max} is out of range for numClasses = ${classes}.`);
  return { y, classes };
}

/**
 * A fitted linear probe (multinomial logistic regression on standardised features).
 *
 * @example
 * ```ts
 * const probe = await fitLinearProbe(trainCodes, trainLabels);
 * console.log(probe.accuracy(testCodes, testLabels)); // e.g. 0.93
 * ```
 */
export class LinearProbe {
  /** Fit details; undefined for a probe loaded with {@link LinearProbe.fromJSON}. */
  readonly fitInfo?: LinearProbeFitInfo;

  /** @internal */
  constructor(
    /** Feature means of the training rows. */
    readonly mean: Float32Array,
    /** Feature standard deviations of the training rows (1 for constant features). */
    readonly std: Float32Array,
    /** `nFeatures x numClasses` weights on standardised features. */
    readonly weights: Matrix,
    /** Per-class bias. */
    readonly bias: Float32Array,
    fitInfo?: LinearProbeFitInfo,
  ) {
    if (fitInfo) this.fitInfo = fitInfo;
  }

  /** Number of input features. */
  get nFeatures(): number {
    return this.weights.rows;
  }

  /** Number of classes. */
  get numClasses(): number {
    return this.weights.cols;
  }

  /**
   * Class scores (logits) of each row.
   * @param x - `n x nFeatures` rows.
   * @returns `n x numClasses` logits.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   */
  logits(x: MatrixLike): Matrix {
    const m = toMatrix(x);
    const d = this.nFeatures;
    const c = this.numClasses;
    if (m.rows > 0 && m.cols !== d) {
      throw new ShapeMismatchError(`The probe was fitted on ${d} features; the input has ${m.cols}.`);
    }
    const out = new Float32Array(m.rows * c);
    const step = chunkRows(d, m.rows);
    const chunk = new Float32Array(step * d);
    for (let r0 = 0; r0 < m.rows; r0 += step) {
      const rows = Math.min(step, m.rows - r0);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < d; j++) chunk[i * d + j] = (m.data[(r0 + i) * d + j] - this.mean[j]) / this.std[j];
      }
      const z = gemm(chunk.subarray(0, rows * d), rows, d, this.weights.data, c);
      for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) z[i * c + j] += this.bias[j];
      out.set(z, r0 * c);
    }
    return { data: out, rows: m.rows, cols: c };
  }

  /**
   * Most likely class of each row (ties to the lower class).
   * @param x - `n x nFeatures` rows.
   * @returns `n` class indices.
   */
  predict(x: MatrixLike): Int32Array {
    const z = this.logits(x);
    const c = z.cols;
    const out = new Int32Array(z.rows);
    for (let i = 0; i < z.rows; i++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (z.data[i * c + j] > z.data[i * c + best]) best = j;
      out[i] = best;
    }
    return out;
  }

  /**
   * Share of rows whose predicted class equals the label.
   * @param x - `n x nFeatures` rows.
   * @param labels - `n` integer labels.
   * @returns accuracy in [0, 1].
   * @throws {ShapeMismatchError} when the label count differs from the row count.
   */
  accuracy(x: MatrixLike, labels: ArrayLike<number>): number {
    const pred = this.predict(x);
    if (labels.length !== pred.length) {
      throw new ShapeMismatchError(`Expected ${pred.length} labels (one per row), found ${labels.length}.`);
    }
    if (pred.length === 0) return 0;
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
    return hit / pred.length;
  }

  /** A JSON-safe snapshot for {@link LinearProbe.fromJSON}. */
  toJSON(): LinearProbeJson {
    const c = this.numClasses;
    return {
      kind: 'latentkit/linear-probe',
      version: 1,
      nFeatures: this.nFeatures,
      numClasses: c,
      mean: Array.from(this.mean),
      std: Array.from(this.std),
      weights: Array.from({ length: this.nFeatures }, (_, j) => Array.from(this.weights.data.subarray(j * c, (j + 1) * c))),
      bias: Array.from(this.bias),
    };
  }

  /**
   * Rebuilds a probe saved with {@link LinearProbe.toJSON}.
   * @param json - the parsed JSON.
   * @param file - where it came from, for error messages.
   * @returns the probe.
   * @throws {ModelFormatError} when a field is missing or malformed.
   */
  static fromJSON(json: unknown, file?: string): LinearProbe {
    const fail = (msg: string): never => {
      throw new ModelFormatError(`Linear probe JSON${file ? ` in ${file}` : ''}: ${msg}`, file ? { file } : {});
    };
    if (typeof json !== 'object' || json === null) return fail('expected an object.');
    const j = json as Partial<Record<keyof LinearProbeJson, unknown>>;
    if (j.kind !== 'latentkit/linear-probe') fail(`field 'kind' should be 'latentkit/linear-probe', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    const d = j.nFeatures;
    const c = j.numClasses;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) return fail(`field 'nFeatures' should be an integer >= 1.`);
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 2) return fail(`field 'numClasses' should be an integer >= 2.`);
    const vec = (v: unknown, len: number, name: string): Float32Array => {
      if (!Array.isArray(v) || v.length !== len || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
        fail(`field '${name}' should be an array of ${len} finite numbers.`);
      }
      return Float32Array.from(v as number[]);
    };
    if (!Array.isArray(j.weights) || j.weights.length !== d) return fail(`field 'weights' should hold ${d} rows.`);
    const w = new Float32Array(d * c);
    (j.weights as unknown[]).forEach((r, i) => w.set(vec(r, c, `weights[${i}]`), i * c));
    const std = vec(j.std, d, 'std');
    if (std.some((s) => !(s > 0))) fail(`field 'std' should hold positive numbers.`);
    return new LinearProbe(vec(j.mean, d, 'mean'), std, { data: w, rows: d, cols: c }, vec(j.bias, c, 'bias'));
  }
}

/**
 * Fits a linear probe: features are standardised with the training mean and standard
 * deviation, then a softmax regression is fitted full-batch by L-BFGS from zero weights,
 * so the same inputs always give the same probe.
 * @param x - `n x d` training rows.
 * @param labels - `n` integer class labels.
 * @param options - penalty and solver settings.
 * @returns the fitted probe.
 * @throws {InvalidArgumentError} on bad labels, fewer than 2 classes, or non-finite values.
 * @throws {ShapeMismatchError} when the label count differs from the row count.
 * @example
 * ```ts
 * const probe = await fitLinearProbe(codes, labels, { l2: 1e-4 });
 * const classes = probe.predict(newCodes);
 * ```
 */
export async function fitLinearProbe(
  x: MatrixLike,
  labels: ArrayLike<number>,
  options: LinearProbeOptions = {},
): Promise<LinearProbe> {
  const m = toMatrix(x);
  checkMatrix(m, 'Probe training input');
  const { y, classes } = checkLabels(labels, m.rows, options.numClasses);
  const l2 = options.l2 ?? 1e-4;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new InvalidArgumentError(`l2 must be a finite number >= 0, got ${l2}.`);
  const maxIter = options.maxIterations ?? 300;
  const tol = options.tolerance ?? 1e-5;
  const memory = options.memory ?? 10;
  await initEngine();

  const n = m.rows;
  const d = m.cols;
  const mean = columnMeans(m);
  const std = columnStds(m, mean).map((s) => (s > 1e-12 ? s : 1));
  const xs = new Float32Array(n * d);
  const xt = new Float32Array(d * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = (m.data[i * d + j] - mean[j]) / std[j];
      xs[i * d + j] = v;
      xt[j * n + i] = v;
    }
  }
  // Both layouts stay on the backend: the gradient needs Xᵀ and the plain product is far
  // faster than a transposed one on wasm.
  const X = tf.tensor2d(xs, [n, d]);
  const Xt = tf.tensor2d(xt, [d, n]);
  const Y = tf.oneHot(tf.tensor1d(y, 'int32'), classes).toFloat();
  const nw = d * classes;
  let evaluations = 0;
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    evaluations++;
    const [ceT, gwT, gbT] = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, nw)), [d, classes]);
      const b = tf.tensor1d(Float32Array.from(theta.subarray(nw)));
      const logits = tf.add(tf.matMul(X, W), b);
      const lse = tf.logSumExp(logits, 1);
      const ce = tf.sub(lse, tf.sum(tf.mul(Y, logits), 1));
      const g = tf.div(tf.sub(tf.exp(tf.sub(logits, tf.expandDims(lse, 1))), Y), n);
      const gw = tf.add(tf.matMul(Xt, g), tf.mul(l2, W));
      return [ce, gw, tf.sum(g, 0)];
    });
    try {
      grad.set(gwT.dataSync() as Float32Array, 0);
      grad.set(gbT.dataSync() as Float32Array, nw);
      // Per-row losses summed in float64: a float32 mean over 60,000 rows is too coarse for
      // the line search to see the last improvements.
      const ce = ceT.dataSync() as Float32Array;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += ce[i];
      let penalty = 0;
      for (let i = 0; i < nw; i++) penalty += theta[i] * theta[i];
      return sum / n + (l2 / 2) * penalty;
    } finally {
      ceT.dispose();
      gwT.dispose();
      gbT.dispose();
    }
  };
  let result: LbfgsResult;
  try {
    result = lbfgs(evaluate, new Float64Array(nw + classes), { maxIter, tol, memory });
  } finally {
    X.dispose();
    Xt.dispose();
    Y.dispose();
  }
  return new LinearProbe(
    Float32Array.from(mean),
    Float32Array.from(std),
    { data: Float32Array.from(result.x.subarray(0, nw)), rows: d, cols: classes },
    Float32Array.from(result.x.subarray(nw)),
    {
      iterations: result.iterations,
      evaluations,
      loss: result.f,
      gradientNorm: result.gradNorm,
      converged: result.converged,
    },
  );
}

/** What {@link linearProbe} reports. */
export interface LinearProbeResult {
  /** Accuracy on the test rows. */
  accuracy: number;
  /** Accuracy on the training rows (a large gap means the probe overfits). */
  trainAccuracy: number;
  /** The fitted probe. */
  probe: LinearProbe;
}

/**
 * Fits a linear probe on the training rows and scores it on the test rows.
 * @param trainX - training rows.
 * @param trainY - training labels.
 * @param testX - test rows (same features).
 * @param testY - test labels.
 * @param options - see {@link LinearProbeOptions}.
 * @returns test and train accuracy, and the probe.
 * @throws {ShapeMismatchError} when label counts or feature counts disagree.
 * @example
 * ```ts
 * const { accuracy } = await linearProbe(train.codes, train.labels, test.codes, test.labels);
 * ```
 */
export async function linearProbe(
  trainX: MatrixLike,
  trainY: ArrayLike<number>,
  testX: MatrixLike,
  testY: ArrayLike<number>,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const probe = await fitLinearProbe(trainX, trainY, options);
  const test = toMatrix(testX);
  checkMatrix(test, 'Probe test input');
  checkLabels(testY, test.rows);
  return { accuracy: probe.accuracy(test, testY), trainAccuracy: probe.accuracy(trainX, trainY), probe };
}

interface LbfgsResult {
  x: Float64Array;
  f: number;
  gradNorm: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  return s;
}

/**
 * Limited-memory BFGS with a backtracking Armijo line search. The objectives here are
 * convex, so curvature pairs are kept whenever `sᵀy > 0`.
 */
function lbfgs(
  fg: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  opts: { maxIter: number; tol: number; memory: number },
): LbfgsResult {
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Yk: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let iterations = 0;
  let stalled = 0;
  while (iterations < opts.maxIter) {
    if (maxAbs(g) <= opts.tol) return { x, f, gradNorm: maxAbs(g), iterations, converged: true };
    // Two-loop recursion: dir = -H g.
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    const alpha: number[] = [];
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], dir);
      alpha[j] = a;
      const y = Yk[j];
      for (let i = 0; i < n; i++) dir[i] -= a * y[i];
    }
    const last = S.length - 1;
    const gamma = last >= 0 ? dot(S[last], Yk[last]) / dot(Yk[last], Yk[last]) : 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12);
    for (let i = 0; i < n; i++) dir[i] *= gamma;
    for (let j = 0; j < S.length; j++) {
      const b = rho[j] * dot(Yk[j], dir);
      const s = S[j];
      for (let i = 0; i < n; i++) dir[i] += (alpha[j] - b) * s[i];
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (float32 noise in the gradient): restart from steepest descent.
      S.length = Yk.length = rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i] / Math.max(Math.sqrt(dot(g, g)), 1e-12);
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 12; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    iterations++;
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Yk.push(y);
      rho.push(1 / sy);
      if (S.length > opts.memory) {
        S.shift();
        Yk.shift();
        rho.shift();
      }
    }
    // float32 gradients put a floor under what can still be gained; stop when steps stop paying.
    stalled = f - fNew <= 1e-10 * Math.max(1, Math.abs(f)) ? stalled + 1 : 0;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (stalled >= 5) break;
  }
  const gradNorm = maxAbs(g);
  return { x, f, gradNorm, iterations, converged: gradNorm <= opts.tol };
}
