/**
 * @file Comparing latent spaces, typically of two modalities encoding paired samples (an
 * image and its caption, a spoken digit and its label text): representation similarity
 * (linear CKA, mutual kNN alignment), cross-space retrieval, and learned maps from one
 * space to the other (closed-form ridge, small MLP).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import {
  centredCrossProduct,
  checkMatrix,
  checkSquareDim,
  chunkRows,
  columnMeans,
  columnStds,
  gemm,
  solveSpd,
} from './linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from './matrix.js';
import { shuffledIndices } from './random.js';
import { knn, type KnnMetric, type KnnResult } from './similarity.js';

function pairedInputs(x: MatrixLike, y: MatrixLike, what: string, minRows = 2): [Matrix, Matrix] {
  const mx = toMatrix(x);
  const my = toMatrix(y);
  checkMatrix(mx, `${what} x`, minRows);
  checkMatrix(my, `${what} y`, minRows);
  if (mx.rows !== my.rows) {
    throw new ShapeMismatchError(`${what} needs paired rows: x has ${mx.rows} rows but y has ${my.rows}.`);
  }
  return [mx, my];
}

function frobeniusSquared(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** `Xc Xcᵀ` (n x n) of the column-centred rows, for the sample-space form of CKA. */
function centredGram(m: Matrix): Float32Array {
  const mean = columnMeans(m);
  const { rows: n, cols: d } = m;
  const xc = new Float32Array(n * d);
  const xt = new Float32Array(d * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = m.data[i * d + j] - mean[j];
      xc[i * d + j] = v;
      xt[j * n + i] = v;
    }
  }
  return gemm(xc, n, d, xt, n);
}

/**
 * Linear centred kernel alignment (Kornblith et al., 2019) between two representations of
 * the same `n` samples: `‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F)` on column-centred data. 1 means
 * identical up to rotation and isotropic scaling; it ignores the dimensions, so spaces of
 * different sizes can be compared.
 * @param x - `n x dx` rows.
 * @param y - `n x dy` rows, paired with `x` row by row.
 * @returns CKA in [0, 1].
 * @throws {ShapeMismatchError} when the row counts differ.
 * @throws {InvalidArgumentError} when fewer than 2 rows, non-finite values, or a constant representation.
 * @throws {InputTooLargeError} when both `n` and a feature count exceed 8192.
 * @example
 * ```ts
 * const cka = await linearCka(imageCodes, textCodes); // e.g. 0.42
 * ```
 */
export async function linearCka(x: MatrixLike, y: MatrixLike): Promise<number> {
  const [mx, my] = pairedInputs(x, y, 'linearCka');
  await initEngine();
  const n = mx.rows;
  let cross: number;
  let selfX: number;
  let selfY: number;
  // Pick the cheaper of the equivalent feature-space (d x d) and sample-space (n x n) forms.
  if (n < Math.max(mx.cols, my.cols) && n <= 8192) {
    const k = centredGram(mx);
    const l = centredGram(my);
    cross = 0;
    for (let i = 0; i < k.length; i++) cross += k[i] * l[i];
    selfX = frobeniusSquared(k);
    selfY = frobeniusSquared(l);
  } else {
    checkSquareDim(mx.cols, 'linearCka x');
    checkSquareDim(my.cols, 'linearCka y');
    const meanX = columnMeans(mx);
    const meanY = columnMeans(my);
    cross = frobeniusSquared(centredCrossProduct(mx, my, meanX, meanY));
    selfX = frobeniusSquared(centredCrossProduct(mx, mx, meanX, meanX));
    selfY = frobeniusSquared(centredCrossProduct(my, my, meanY, meanY));
  }
  if (!(selfX > 0) || !(selfY > 0)) {
    throw new InvalidArgumentError(`linearCka: ${selfX > 0 ? 'y' : 'x'} is constant across samples; CKA is undefined.`);
  }
  return Math.min(1, Math.max(0, cross / Math.sqrt(selfX * selfY)));
}

/** Options of {@link mutualKnnAlignment} and {@link crossModalNeighbours}. */
export interface NeighbourOptions {
  /** Distance used to find neighbours. @default 'cosine' */
  metric?: KnnMetric;
}

/**
 * Mutual k-nearest-neighbour alignment (Huh et al., 2024, "The Platonic Representation
 * Hypothesis"): for each sample, the share of its `k` nearest neighbours in `x` that are
 * also among its `k` nearest neighbours in `y`, averaged over samples (self excluded).
 * 1 means the same neighbourhoods; unrelated spaces score about `k / (n - 1)`.
 * Two exact kNN searches, O(n²·(dx + dy)): use a subset of a few thousand samples for speed.
 * @param x - `n x dx` rows.
 * @param y - `n x dy` rows, paired with `x`.
 * @param k - neighbours per sample, `1 <= k < n`.
 * @param options - the neighbour metric.
 * @returns the alignment in [0, 1].
 * @throws {ShapeMismatchError} when the row counts differ.
 * @throws {InvalidArgumentError} on a bad `k` or non-finite values.
 * @example
 * ```ts
 * const score = await mutualKnnAlignment(imageCodes, textCodes, 10); // chance ≈ 10 / (n - 1)
 * ```
 */
export async function mutualKnnAlignment(
  x: MatrixLike,
  y: MatrixLike,
  k = 10,
  options: NeighbourOptions = {},
): Promise<number> {
  const [mx, my] = pairedInputs(x, y, 'mutualKnnAlignment');
  const metric = options.metric ?? 'cosine';
  const nx = await knn(mx, mx, k, { metric, excludeSelf: true });
  const ny = await knn(my, my, k, { metric, excludeSelf: true });
  let total = 0;
  const seen = new Set<number>();
  for (let i = 0; i < mx.rows; i++) {
    seen.clear();
    for (const j of nx.indices[i]) seen.add(j);
    let shared = 0;
    for (const j of ny.indices[i]) if (seen.has(j)) shared++;
    total += shared / k;
  }
  return total / mx.rows;
}

/**
 * Nearest reference rows for each query row across two spaces of the same dimension (for
 * example text codes mapped into image space with a {@link RidgeMap}).
 * @param query - `n x d` rows.
 * @param reference - `m x d` rows.
 * @param k - neighbours per query.
 * @param options - the metric.
 * @returns neighbours nearest first, as {@link knn} returns them.
 * @throws {ShapeMismatchError} when the dimensions differ.
 * @example
 * ```ts
 * const { indices } = await crossModalNeighbours(map.apply(textCodes), imageCodes, 5);
 * ```
 */
export function crossModalNeighbours(
  query: MatrixLike,
  reference: MatrixLike,
  k: number,
  options: NeighbourOptions = {},
): Promise<KnnResult> {
  return knn(query, reference, k, { metric: options.metric ?? 'cosine' });
}

/**
 * Retrieval recall for paired rows: the share of queries whose own partner (reference row
 * `i` for query `i`) is among their `k` nearest reference rows, for each `k` asked.
 * @param query - `n x d` rows.
 * @param reference - `n x d` rows, paired with `query`.
 * @param ks - cut-offs. @default [1, 5, 10]
 * @param options - the metric.
 * @returns recall per cut-off, e.g. `{ 1: 0.31, 5: 0.62, 10: 0.75 }`; chance is `k / n`.
 * @throws {ShapeMismatchError} when the rows are not paired.
 * @throws {InvalidArgumentError} when a cut-off is not in `[1, n]`.
 * @example
 * ```ts
 * const recall = await pairedRetrievalRecall(map.apply(textCodes), imageCodes); // recall[5]
 * ```
 */
export async function pairedRetrievalRecall(
  query: MatrixLike,
  reference: MatrixLike,
  ks: readonly number[] = [1, 5, 10],
  options: NeighbourOptions = {},
): Promise<Record<number, number>> {
  const [q, r] = pairedInputs(query, reference, 'pairedRetrievalRecall', 1);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > r.rows) {
      throw new InvalidArgumentError(`Recall cut-off ${k} must be an integer in [1, ${r.rows}].`);
    }
  }
  const kMax = Math.max(...ks);
  const res = await knn(q, r, kMax, { metric: options.metric ?? 'cosine' });
  const out: Record<number, number> = {};
  for (const k of ks) {
    let hits = 0;
    for (let i = 0; i < q.rows; i++) if (res.indices[i].subarray(0, k).includes(i)) hits++;
    out[k] = hits / q.rows;
  }
  return out;
}

/** Options of {@link RidgeMap.fit}. */
export interface RidgeMapOptions {
  /**
   * Ridge penalty, relative to the mean feature variance of `x` (so it does not depend on
   * the scale of the codes): solves `(Cxx + lambda · tr(Cxx)/dx · I) W = Cxy`.
   * @default 1e-3
   */
  lambda?: number;
}

/** The JSON form of a {@link RidgeMap}. */
export interface RidgeMapJson {
  kind: 'latentkit/ridge-map';
  version: 1;
  inputDim: number;
  outputDim: number;
  lambda: number;
  /** `inputDim` rows of `outputDim` values. */
  weights: number[][];
  bias: number[];
}

function applyAffine(x: MatrixLike, w: Matrix, bias: Float32Array, what: string): Matrix {
  const m = toMatrix(x);
  const din = w.rows;
  const dout = w.cols;
  if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: dout };
  if (m.cols !== din) throw new ShapeMismatchError(`${what} maps ${din} features; the input has ${m.cols}.`);
  const out = new Float32Array(m.rows * dout);
  const step = chunkRows(Math.max(din, dout), m.rows);
  for (let r0 = 0; r0 < m.rows; r0 += step) {
    const c = Math.min(step, m.rows - r0);
    const z = gemm(m.data.subarray(r0 * din, (r0 + c) * din), c, din, w.data, dout);
    for (let i = 0; i < c; i++) for (let j = 0; j < dout; j++) z[i * dout + j] += bias[j];
    out.set(z, r0 * dout);
  }
  return { data: out, rows: m.rows, cols: dout };
}

function jsonFail(what: string, file: string | undefined): (msg: string) => never {
  return (msg: string): never => {
    throw new ModelFormatError(`${what} JSON${file ? ` in ${file}` : ''}: ${msg}`, file ? { file } : {});
  };
}

function jsonMatrix(v: unknown, rows: number, cols: number, name: string, fail: (m: string) => never): Float32Array {
  if (!Array.isArray(v) || v.length !== rows) fail(`field '${name}' should hold ${rows} rows.`);
  const out = new Float32Array(rows * cols);
  (v as unknown[]).forEach((r, i) => out.set(jsonVector(r, cols, `${name}[${i}]`, fail), i * cols));
  return out;
}

function jsonVector(v: unknown, len: number, name: string, fail: (m: string) => never): Float32Array {
  if (!Array.isArray(v) || v.length !== len || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    fail(`field '${name}' should be an array of ${len} finite numbers.`);
  }
  return Float32Array.from(v as number[]);
}

function jsonInt(v: unknown, name: string, min: number, fail: (m: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`field '${name}' should be an integer >= ${min}, found ${JSON.stringify(v)}.`);
  return v as number;
}

/**
 * A linear map between two latent spaces fitted on paired rows by ridge regression
 * (closed form, with centring, so the bias is exact and unpenalised).
 *
 * @example
 * ```ts
 * const map = await RidgeMap.fit(textCodes, imageCodes, { lambda: 1e-2 });
 * const predicted = map.apply(newTextCodes); // in image-code space
 * ```
 */
export class RidgeMap {
  private constructor(
    /** `inputDim x outputDim` weights. */
    readonly weights: Matrix,
    /** Output offset. */
    readonly bias: Float32Array,
    /** The penalty it was fitted with. */
    readonly lambda: number,
  ) {}

  /** Input dimension. */
  get inputDim(): number {
    return this.weights.rows;
  }

  /** Output dimension. */
  get outputDim(): number {
    return this.weights.cols;
  }

  /**
   * Fits `y ≈ x W + b` on paired rows.
   * @param x - `n x dx` source rows.
   * @param y - `n x dy` target rows.
   * @param options - the penalty.
   * @returns the fitted map.
   * @throws {ShapeMismatchError} when the rows are not paired.
   * @throws {InvalidArgumentError} on a negative penalty, non-finite values, or (with
   *   `lambda = 0`) a singular `x` covariance.
   */
  static async fit(x: MatrixLike, y: MatrixLike, options: RidgeMapOptions = {}): Promise<RidgeMap> {
    const [mx, my] = pairedInputs(x, y, 'RidgeMap.fit');
    const lambda = options.lambda ?? 1e-3;
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new InvalidArgumentError(`RidgeMap lambda must be a finite number >= 0, got ${lambda}.`);
    }
    checkSquareDim(mx.cols, 'RidgeMap x');
    await initEngine();
    const dx = mx.cols;
    const dy = my.cols;
    const meanX = columnMeans(mx);
    const meanY = columnMeans(my);
    const sxx = centredCrossProduct(mx, mx, meanX, meanX);
    const sxy = centredCrossProduct(mx, my, meanX, meanY);
    let trace = 0;
    for (let i = 0; i < dx; i++) trace += sxx[i * dx + i];
    const ridge = lambda * Math.max(trace / dx, 1e-30);
    for (let i = 0; i < dx; i++) sxx[i * dx + i] += ridge;
    const w = solveSpd(sxx, dx, sxy, dy);
    const bias = new Float32Array(dy);
    for (let j = 0; j < dy; j++) {
      let s = meanY[j];
      for (let i = 0; i < dx; i++) s -= meanX[i] * w[i * dy + j];
      bias[j] = s;
    }
    return new RidgeMap({ data: Float32Array.from(w), rows: dx, cols: dy }, bias, lambda);
  }

  /**
   * Maps rows of the source space into the target space.
   * @param x - `n x inputDim` rows.
   * @returns `n x outputDim` rows.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   */
  apply(x: MatrixLike): Matrix {
    return applyAffine(x, this.weights, this.bias, 'RidgeMap');
  }

  /** A JSON-safe snapshot for {@link RidgeMap.fromJSON}. */
  toJSON(): RidgeMapJson {
    const dy = this.outputDim;
    return {
      kind: 'latentkit/ridge-map',
      version: 1,
      inputDim: this.inputDim,
      outputDim: dy,
      lambda: this.lambda,
      weights: matrixRows(this.weights),
      bias: Array.from(this.bias),
    };
  }

  /**
   * Rebuilds a map saved with {@link RidgeMap.toJSON}.
   * @param json - the parsed JSON.
   * @param file - where it came from, for error messages.
   * @returns the map.
   * @throws {ModelFormatError} when a field is missing or malformed.
   */
  static fromJSON(json: unknown, file?: string): RidgeMap {
    const fail = jsonFail('RidgeMap', file);
    if (typeof json !== 'object' || json === null) fail('expected an object.');
    const j = json as Partial<Record<keyof RidgeMapJson, unknown>>;
    if (j.kind !== 'latentkit/ridge-map') fail(`field 'kind' should be 'latentkit/ridge-map', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    const dx = jsonInt(j.inputDim, 'inputDim', 1, fail);
    const dy = jsonInt(j.outputDim, 'outputDim', 1, fail);
    const lambda = typeof j.lambda === 'number' && j.lambda >= 0 ? j.lambda : fail(`field 'lambda' should be a number >= 0.`);
    return new RidgeMap(
      { data: jsonMatrix(j.weights, dx, dy, 'weights', fail), rows: dx, cols: dy },
      jsonVector(j.bias, dy, 'bias', fail),
      lambda,
    );
  }
}

/** Options of {@link MlpMap.fit}. */
export interface MlpMapOptions {
  /** Hidden layer widths. @default [256] */
  hidden?: number[];
  /** Hidden activation. @default 'relu' */
  activation?: 'relu' | 'tanh';
  /** Passes over the data. @default 30 */
  epochs?: number;
  /** Rows per Adam step. @default 256 */
  batchSize?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /** L2 penalty on the weights (not biases), added to the loss. @default 0 */
  weightDecay?: number;
  /** Seed of the initial weights and the batch order. @default 0 */
  seed?: number;
  /**
   * When set, the last layer scores this many learned output codes (prototypes) and the map
   * returns their softmax-weighted mix instead of a free linear output. Use it when the
   * targets sit in clusters (say, one typical image code per class): a linear output that
   * is unsure between two clusters lands halfway, on a code that may decode to nothing
   * recognisable, while a confident softmax lands on one prototype. The prototypes start at
   * target rows chosen far apart (farthest-point, from a seeded first row) and are trained
   * with the rest. @default undefined (a linear output)
   */
  prototypes?: number;
}

/** The JSON form of an {@link MlpMap}. */
export interface MlpMapJson {
  kind: 'latentkit/mlp-map';
  version: 1;
  activation: 'relu' | 'tanh';
  /** Layer widths from input to output, e.g. `[32, 256, 64]`. */
  sizes: number[];
  /** Per layer: `sizes[l] x sizes[l + 1]` weights as rows. */
  weights: number[][][];
  biases: number[][];
  /** With the `prototypes` option: `sizes[last] x outputDim` output codes (standardised), mixed by a softmax over the last layer. */
  prototypes?: number[][];
  /** Input standardisation and output de-standardisation. */
  inputMean: number[];
  inputStd: number[];
  outputMean: number[];
  outputStd: number[];
}

/**
 * A small non-linear map between two latent spaces: an MLP trained with Adam on paired rows
 * (inputs and targets standardised), seeded so the same data and options give the same map.
 * Training runs on tfjs; the trained weights are then kept as plain arrays, so `apply` is
 * synchronous and nothing stays allocated on the backend.
 *
 * @example
 * ```ts
 * const map = await MlpMap.fit(audioCodes, textCodes, { hidden: [128], epochs: 50 });
 * const mapped = map.apply(newAudioCodes);
 * map.dispose();
 * ```
 */
export class MlpMap {
  private layers: { w: Matrix; b: Float32Array }[] | undefined;

  private constructor(
    layers: { w: Matrix; b: Float32Array }[],
    /** Hidden activation. */
    readonly activation: 'relu' | 'tanh',
    private readonly inputMean: Float32Array,
    private readonly inputStd: Float32Array,
    private readonly outputMean: Float32Array,
    private readonly outputStd: Float32Array,
    /** Mean training loss (standardised MSE) per epoch; empty for a loaded map. */
    readonly history: number[] = [],
    /** Learned output codes (`k x outputDim`, standardised) mixed by a softmax over the last layer; absent for a linear output. */
    private readonly prototypes?: Matrix,
  ) {
    this.layers = layers;
  }

  /** Input dimension. */
  get inputDim(): number {
    return this.inputMean.length;
  }

  /** Output dimension. */
  get outputDim(): number {
    return this.outputMean.length;
  }

  /**
   * Trains an MLP `x -> y` on paired rows.
   * @param x - `n x dx` source rows.
   * @param y - `n x dy` target rows.
   * @param options - architecture and training settings.
   * @returns the trained map.
   * @throws {ShapeMismatchError} when the rows are not paired.
   * @throws {InvalidArgumentError} on bad options or non-finite values.
   */
  static async fit(x: MatrixLike, y: MatrixLike, options: MlpMapOptions = {}): Promise<MlpMap> {
    const [mx, my] = pairedInputs(x, y, 'MlpMap.fit');
    const hidden = options.hidden ?? [256];
    const activation = options.activation ?? 'relu';
    const epochs = options.epochs ?? 30;
    const batchSize = options.batchSize ?? 256;
    const lr = options.learningRate ?? 1e-3;
    const decay = options.weightDecay ?? 0;
    const seed = options.seed ?? 0;
    const k = options.prototypes;
    if (k !== undefined && !(Number.isInteger(k) && k >= 2 && k <= 65536)) {
      throw new InvalidArgumentError(`MlpMap prototypes must be an integer in [2, 65536], got ${k}.`);
    }
    if (!hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 65536)) {
      throw new InvalidArgumentError(`MlpMap hidden widths must be integers in [1, 65536], got [${hidden.join(', ')}].`);
    }
    if (activation !== 'relu' && activation !== 'tanh') {
      throw new InvalidArgumentError(`MlpMap activation must be 'relu' or 'tanh', got '${String(activation)}'.`);
    }
    for (const [name, v, min] of [['epochs', epochs, 1], ['batchSize', batchSize, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`MlpMap ${name} must be an integer >= ${min}, got ${v}.`);
    }
    if (!(lr > 0) || !(decay >= 0)) {
      throw new InvalidArgumentError(`MlpMap needs learningRate > 0 and weightDecay >= 0; got ${lr} and ${decay}.`);
    }
    if (k !== undefined && k > mx.rows) {
      throw new InvalidArgumentError(`MlpMap prototypes (${k}) must not exceed the number of training rows (${mx.rows}).`);
    }
    await initEngine();

    const n = mx.rows;
    const dx = mx.cols;
    const dy = my.cols;
    const xMean = columnMeans(mx);
    const xStd = columnStds(mx, xMean).map((s) => (s > 1e-12 ? s : 1));
    const yMean = columnMeans(my);
    const yStd = columnStds(my, yMean).map((s) => (s > 1e-12 ? s : 1));
    const xs = new Float32Array(n * dx);
    const ys = new Float32Array(n * dy);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dx; j++) xs[i * dx + j] = (mx.data[i * dx + j] - xMean[j]) / xStd[j];
      for (let j = 0; j < dy; j++) ys[i * dy + j] = (my.data[i * dy + j] - yMean[j]) / yStd[j];
    }
    const sizes = [dx, ...hidden, k ?? dy];
    // tf.variable shares its initial tensor's data and adds a reference: drop ours.
    const owned = (t: tf.Tensor): tf.Variable => {
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const vars = sizes.slice(0, -1).map((din, l) => ({
      w: owned(tf.initializers.glorotUniform({ seed: seed * 1000 + l + 1 }).apply([din, sizes[l + 1]]) as tf.Tensor),
      b: owned(tf.zeros([sizes[l + 1]])),
    }));
    const protos = k === undefined ? undefined : owned(tf.tensor2d(farthestRows(ys, n, dy, k, seed), [k, dy]));
    const optimizer = tf.train.adam(lr);
    const history: number[] = [];
    const act = activation === 'relu' ? tf.relu : tf.tanh;
    const bx = new Float32Array(batchSize * dx);
    const by = new Float32Array(batchSize * dy);
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = shuffledIndices(n, seed * 7919 + epoch);
        let total = 0;
        for (let s = 0; s < n; s += batchSize) {
          const c = Math.min(batchSize, n - s);
          for (let i = 0; i < c; i++) {
            const r = order[s + i];
            bx.set(xs.subarray(r * dx, (r + 1) * dx), i * dx);
            by.set(ys.subarray(r * dy, (r + 1) * dy), i * dy);
          }
          const lossT = tf.tidy((): tf.Scalar => {
            const xb = tf.tensor2d(bx.subarray(0, c * dx), [c, dx]);
            const yb = tf.tensor2d(by.subarray(0, c * dy), [c, dy]);
            return optimizer.minimize(() => {
              let h: tf.Tensor = xb;
              vars.forEach((v, l) => {
                h = tf.add(tf.matMul(h, v.w), v.b);
                if (l < vars.length - 1) h = act(h);
              });
              if (protos) h = tf.matMul(tf.softmax(h), protos);
              let loss = tf.mean(tf.squaredDifference(h, yb));
              if (decay > 0) for (const v of vars) loss = tf.add(loss, tf.mul(decay, tf.sum(tf.square(v.w))));
              return loss as tf.Scalar;
            }, true)!;
          });
          total += (lossT.dataSync() as Float32Array)[0] * c;
          lossT.dispose();
        }
        const mean = total / n;
        if (!Number.isFinite(mean)) {
          throw new InvalidArgumentError(`MlpMap training diverged at epoch ${epoch + 1} (loss ${mean}); lower learningRate.`);
        }
        history.push(mean);
      }
      const layers = vars.map((v, l) => ({
        w: { data: v.w.dataSync() as Float32Array, rows: sizes[l], cols: sizes[l + 1] },
        b: v.b.dataSync() as Float32Array,
      }));
      return new MlpMap(
        layers,
        activation,
        Float32Array.from(xMean),
        Float32Array.from(xStd),
        Float32Array.from(yMean),
        Float32Array.from(yStd),
        history,
        protos && { data: protos.dataSync() as Float32Array, rows: k!, cols: dy },
      );
    } finally {
      optimizer.dispose();
      protos?.dispose();
      for (const v of vars) {
        v.w.dispose();
        v.b.dispose();
      }
    }
  }

  /**
   * Maps rows of the source space into the target space.
   * @param x - `n x inputDim` rows.
   * @returns `n x outputDim` rows.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   * @throws {InvalidArgumentError} after {@link MlpMap.dispose}.
   */
  apply(x: MatrixLike): Matrix {
    const layers = this.layers;
    if (!layers) throw new InvalidArgumentError('This MlpMap was disposed.');
    const m = toMatrix(x);
    if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: this.outputDim };
    if (m.cols !== this.inputDim) {
      throw new ShapeMismatchError(`MlpMap maps ${this.inputDim} features; the input has ${m.cols}.`);
    }
    const h0 = new Float32Array(m.data.length);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) h0[i * m.cols + j] = (m.data[i * m.cols + j] - this.inputMean[j]) / this.inputStd[j];
    }
    let h: Matrix = { data: h0, rows: m.rows, cols: m.cols };
    layers.forEach((layer, l) => {
      h = applyAffine(h, layer.w, layer.b, 'MlpMap layer');
      if (l < layers.length - 1) {
        const d = h.data;
        if (this.activation === 'relu') for (let i = 0; i < d.length; i++) d[i] = d[i] > 0 ? d[i] : 0;
        else for (let i = 0; i < d.length; i++) d[i] = Math.tanh(d[i]);
      }
    });
    if (this.prototypes) h = { data: softmaxMix(h, this.prototypes), rows: h.rows, cols: this.prototypes.cols };
    const out = h.data;
    const dy = this.outputDim;
    for (let i = 0; i < h.rows; i++) for (let j = 0; j < dy; j++) out[i * dy + j] = out[i * dy + j] * this.outputStd[j] + this.outputMean[j];
    return h;
  }

  /** Releases the weights; later calls to {@link MlpMap.apply} throw. */
  dispose(): void {
    this.layers = undefined;
  }

  /**
   * A JSON-safe snapshot for {@link MlpMap.fromJSON}.
   * @throws {InvalidArgumentError} after {@link MlpMap.dispose}.
   */
  toJSON(): MlpMapJson {
    const layers = this.layers;
    if (!layers) throw new InvalidArgumentError('This MlpMap was disposed.');
    return {
      kind: 'latentkit/mlp-map',
      version: 1,
      activation: this.activation,
      sizes: [this.inputDim, ...layers.map((l) => l.w.cols)],
      weights: layers.map((l) => matrixRows(l.w)),
      biases: layers.map((l) => Array.from(l.b)),
      ...(this.prototypes && { prototypes: matrixRows(this.prototypes) }),
      inputMean: Array.from(this.inputMean),
      inputStd: Array.from(this.inputStd),
      outputMean: Array.from(this.outputMean),
      outputStd: Array.from(this.outputStd),
    };
  }

  /**
   * Rebuilds a map saved with {@link MlpMap.toJSON}.
   * @param json - the parsed JSON.
   * @param file - where it came from, for error messages.
   * @returns the map.
   * @throws {ModelFormatError} when a field is missing or malformed.
   */
  static fromJSON(json: unknown, file?: string): MlpMap {
    const fail = jsonFail('MlpMap', file);
    if (typeof json !== 'object' || json === null) fail('expected an object.');
    const j = json as Partial<Record<keyof MlpMapJson, unknown>>;
    if (j.kind !== 'latentkit/mlp-map') fail(`field 'kind' should be 'latentkit/mlp-map', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    if (j.activation !== 'relu' && j.activation !== 'tanh') fail(`field 'activation' should be 'relu' or 'tanh'.`);
    if (!Array.isArray(j.sizes) || j.sizes.length < 2) fail(`field 'sizes' should list at least 2 widths.`);
    const sizes = (j.sizes as unknown[]).map((s, i) => jsonInt(s, `sizes[${i}]`, 1, fail));
    const nl = sizes.length - 1;
    if (!Array.isArray(j.weights) || j.weights.length !== nl) fail(`field 'weights' should hold ${nl} layers.`);
    if (!Array.isArray(j.biases) || j.biases.length !== nl) fail(`field 'biases' should hold ${nl} layers.`);
    const layers = Array.from({ length: nl }, (_, l) => ({
      w: { data: jsonMatrix((j.weights as unknown[])[l], sizes[l], sizes[l + 1], `weights[${l}]`, fail), rows: sizes[l], cols: sizes[l + 1] },
      b: jsonVector((j.biases as unknown[])[l], sizes[l + 1], `biases[${l}]`, fail),
    }));
    const din = sizes[0];
    const k = j.prototypes === undefined ? undefined : sizes[nl];
    const dout = k === undefined ? sizes[nl] : Array.isArray(j.prototypes) && Array.isArray(j.prototypes[0]) ? j.prototypes[0].length : fail(`field 'prototypes' should be rows of numbers.`);
    const prototypes = k === undefined ? undefined : { data: jsonMatrix(j.prototypes, k, dout, 'prototypes', fail), rows: k, cols: dout };
    const positive = (v: Float32Array, name: string): Float32Array => {
      if (v.some((s) => !(s > 0))) fail(`field '${name}' should hold positive numbers.`);
      return v;
    };
    return new MlpMap(
      layers,
      j.activation as 'relu' | 'tanh',
      jsonVector(j.inputMean, din, 'inputMean', fail),
      positive(jsonVector(j.inputStd, din, 'inputStd', fail), 'inputStd'),
      jsonVector(j.outputMean, dout, 'outputMean', fail),
      positive(jsonVector(j.outputStd, dout, 'outputStd', fail), 'outputStd'),
      [],
      prototypes,
    );
  }
}

function matrixRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** `k` rows of the `n x d` matrix `m`, each the farthest from those already chosen (the first drawn by `seed`). */
function farthestRows(m: Float32Array, n: number, d: number, k: number, seed: number): Float32Array {
  const out = new Float32Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = shuffledIndices(n, seed * 104729 + 17)[0];
  for (let c = 0; c < k; c++) {
    out.set(m.subarray(pick * d, (pick + 1) * d), c * d);
    let far = 0;
    for (let i = 0; i < n; i++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (m[i * d + j] - m[pick * d + j]) ** 2;
      if (dist < nearest[i]) nearest[i] = dist;
      if (nearest[i] > nearest[far]) far = i;
    }
    pick = far;
  }
  return out;
}

/** Row-wise softmax of `logits` times `prototypes`: each row's mix of the prototype rows. */
function softmaxMix(logits: Matrix, prototypes: Matrix): Float32Array {
  const { rows, cols: k } = logits;
  const d = prototypes.cols;
  const out = new Float32Array(rows * d);
  const w = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const z = logits.data.subarray(i * k, (i + 1) * k);
    let max = -Infinity;
    for (const v of z) if (v > max) max = v;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += w[c] = Math.exp(z[c] - max);
    for (let c = 0; c < k; c++) {
      const a = w[c] / sum;
      for (let j = 0; j < d; j++) out[i * d + j] += a * prototypes.data[c * d + j];
    }
  }
  return out;
}
